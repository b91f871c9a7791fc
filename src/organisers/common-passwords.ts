// Passwords people choose most often (from the published lists of leaked passwords, the top of them,
// and the obvious ones for this site); a new password that is one of these, whatever its case, is refused.
// Only those at least as long as MIN_PASSWORD_LENGTH matter, but shorter ones cost nothing.
export const commonPasswords: ReadonlySet<string> = new Set([
  '000000000', '0000000000', '0123456789', '0987654321', '111111', '1111111111', '1122334455', '1212121212', '123123123', '123123123123', '123321123',
  '123456', '1234567', '12345678', '123456789', '1234567890', '12345678910', '123456789a', '147258369', '159357', '159753', '1q2w3e4r', '1q2w3e4r5t',
  '1q2w3e4r5t6y', '1qaz2wsx', '1qaz2wsx3edc', '2222222222', '3333333333', '4444444444', '5555555555', '6666666666', '741852963', '7777777777',
  '789456', '789456123', '8888888888', '987654321', '9876543210', '9999999999', 'a123456789', 'aa12345678', 'abc123', 'abcd1234', 'abcdefgh',
  'abcdefghij', 'abcdefghijk', 'admin123', 'admin1234', 'administrator', 'administrator1', 'angel12345', 'arsenal123', 'asdfghjkl', 'asdfghjkl1',
  'autumn2025', 'azerty123456', 'azertyuiop', 'babygirl1', 'babygirl123', 'barcelona1', 'baseball', 'baseball1', 'basketball', 'batman1234',
  'blessed123', 'butterfly', 'changeme', 'changeme123', 'charlie123', 'chelsea1234', 'chocolate', 'chocolate1', 'christ1234', 'computer', 'computer1',
  'contrasena', 'contrasena123', 'contraseña', 'cookie123', 'december2026', 'default', 'default123', 'dragon', 'dragon1234', 'facebook', 'facebook1',
  'ferrari123', 'football', 'football1', 'football123', 'freedom', 'freedom123', 'goodluck12', 'google', 'google123', 'guest12345', 'harley1234',
  'hello12345', 'hello123456', 'helloworld', 'hockey1234', 'hunter1234', 'iloveu1234', 'iloveyou', 'iloveyou1', 'iloveyou12', 'iloveyou123',
  'iloveyou2', 'internet', 'internet1', 'january2026', 'jennifer', 'jessica123', 'jesus12345', 'jordan23', 'juventus12', 'letmein', 'letmein123',
  'liverpool1', 'login12345', 'lovelove123', 'loveme1234', 'manchester', 'master', 'master1234', 'mercedes12', 'michael', 'michael123', 'michelle12',
  'monkey', 'monkey12345', 'motdepasse', 'motdepasse123', 'mustang123', 'mynoob', 'organiser', 'organiser1', 'organizer', 'organizer1', 'p@ssw0rd',
  'p@ssword123', 'passw0rd', 'password', 'password!', 'password1', 'password12', 'password123', 'password1234', 'passwort', 'passwort123', 'petition',
  'petition123', 'pokemon', 'pokemon123', 'princess', 'princess1', 'q1w2e3r4t5', 'q1w2e3r4t5y6', 'qazwsxedc', 'qazwsxedcrfv', 'qwerty', 'qwerty123',
  'qwerty1234', 'qwertyuiop', 'qwertyuiop1', 'qwertyuiop123', 'qwertzuiop', 'ranger1234', 'realmadrid', 'root12345', 'samsung', 'samsung123',
  'secret', 'secret1234', 'senha123456', 'shadow', 'shadow1234', 'soccer1234', 'solidaria', 'solidaria1', 'solidaria123', 'solidarity', 'solidarity1',
  'spring2025', 'starwars', 'starwars1', 'summer2024', 'summer2025', 'summer2026', 'sunshine', 'sunshine1', 'superman', 'superman123', 'sweetheart',
  'thomas1234', 'trustno1', 'trustno1234', 'welcome', 'welcome1', 'welcome123', 'welcome2020', 'welcome2021', 'welcome2022', 'welcome2023',
  'welcome2024', 'welcome2025', 'welcome2026', 'whatever', 'whatever1', 'winter2024', 'winter2025', 'winter2026', 'zaq12wsx', 'zxcvbnm', 'zxcvbnm123',
  'zxcvbnm1234'
])
