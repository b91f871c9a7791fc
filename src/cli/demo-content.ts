// Demo content for Solidaria: three appeals, the countries and names that generated signers
// are drawn from, endorsing organisations and solidarity events. Plain data, no dependencies.
// Every person, organisation and link here is invented; the names are just common names.

export interface DemoText { title: string, summary: string, body: string, demands: string[] }

export interface DemoAppeal {
  slug: string
  originalLanguage: string
  texts: Record<string, DemoText>
  goal: number | null
  allowOrganisations: boolean
  donationUrl: string | null
  joinUrl: string | null
}

export interface DemoCountry { code: string, weight: number, cities: string[] }

export interface DemoOrganisation {
  organisation: string
  organisationType: 'trade_union' | 'political_party' | 'ngo' | 'community_group' | 'other'
  country: string
  members: number
  contactRole: string
}

export interface DemoEvent {
  title: string
  city: string
  country: string
  latitude: number
  longitude: number
  attendance: number | null
  daysFromStart: number
}

export const demoAppeals: DemoAppeal[] = [
  {
    slug: 'hands-off-venezuela',
    originalLanguage: 'en',
    texts: {
      en: {
        title: 'Hands off Venezuela: international solidarity with Venezuelan workers',
        summary: 'Trade unionists, students and activists around the world stand with the workers and the poor of Venezuela, against destabilisation and for their right to run their own workplaces.',
        body: [
          'As Venezuelans go to the polls, the forces that have never accepted the Bolivarian process are preparing a new round of destabilisation: hoarding and sabotage in the economy, a hostile media campaign abroad and open calls for foreign interference. We, the undersigned, declare our solidarity with the workers, peasants and poor people of Venezuela, who have every right to decide their own future without pressure from outside.',
          "In factories, mills and plants across the country, workers have shown what they can do when they take matters into their own hands. Women textile workers have kept an occupied factory running, and workers in the basic industries of Guayana are debating how to extend workers' control. These experiences matter to working people everywhere, and they deserve our support, not our silence.",
          'We call on trade unions, student groups and community organisations to endorse this appeal, to organise pickets, public meetings and rallies during the international days of action, and to send messages of support to Venezuelan workers. Every signature, and every organisation that adds the weight of its members, shows that Venezuela is not alone.',
          '**What you can do:**',
          [
            '- sign the appeal and ask your union branch or organisation to endorse it;',
            '- organise or join a solidarity event in your town and put it on the map;',
            '- make a donation, however small, so that the campaign can keep going.'
          ].join('\n')
        ].join('\n\n'),
        demands: [
          "No foreign interference in Venezuela's internal affairs: no threats, no sanctions, no funding for the destabilisation campaign.",
          'Respect for the democratic decisions of the Venezuelan people.',
          "Support for workers' control in nationalised and occupied workplaces.",
          'Fair and honest reporting on Venezuela in the international media.',
          'Direct links of solidarity between Venezuelan trade unions and trade unions around the world.'
        ]
      },
      es: {
        title: 'Manos fuera de Venezuela: solidaridad internacional con los trabajadores venezolanos',
        summary: 'Sindicalistas, estudiantes y activistas de todo el mundo se ponen del lado de los trabajadores y el pueblo pobre de Venezuela, contra la desestabilización y por su derecho a dirigir sus propios centros de trabajo.',
        body: [
          'Mientras los venezolanos acuden a las urnas, las fuerzas que nunca han aceptado el proceso bolivariano preparan una nueva ofensiva de desestabilización: acaparamiento y sabotaje en la economía, una campaña mediática hostil en el exterior y llamamientos abiertos a la injerencia extranjera. Quienes firmamos este llamamiento declaramos nuestra solidaridad con los trabajadores, los campesinos y el pueblo pobre de Venezuela, que tienen todo el derecho a decidir su futuro sin presiones externas.',
          'En fábricas, siderúrgicas y plantas de todo el país, los trabajadores han demostrado de lo que son capaces cuando toman las riendas. Un grupo de trabajadoras textiles mantiene en marcha una fábrica ocupada, y los trabajadores de las industrias básicas de Guayana debaten cómo extender el control obrero. Estas experiencias importan a los trabajadores de todo el mundo y merecen nuestro apoyo, no nuestro silencio.',
          'Llamamos a los sindicatos, a las organizaciones estudiantiles y a las organizaciones comunitarias a adherirse a este llamamiento, a organizar concentraciones, actos públicos y mítines durante las jornadas internacionales de acción, y a enviar mensajes de apoyo a los trabajadores venezolanos. Cada firma, y cada organización que suma el peso de sus afiliados, demuestra que Venezuela no está sola.',
          '**Qué puedes hacer:**',
          [
            '- firma el llamamiento y pide a tu sección sindical u organización que lo apoye;',
            '- organiza un acto de solidaridad en tu ciudad, o súmate a uno, y añádelo al mapa;',
            '- haz una donación, por pequeña que sea, para que la campaña pueda seguir adelante.'
          ].join('\n')
        ].join('\n\n'),
        demands: [
          'Ninguna injerencia extranjera en los asuntos internos de Venezuela: ni amenazas, ni sanciones, ni financiación de la campaña de desestabilización.',
          'Respeto a las decisiones democráticas del pueblo venezolano.',
          'Apoyo al control obrero en las empresas nacionalizadas y ocupadas.',
          'Una información justa y honesta sobre Venezuela en los medios internacionales.',
          'Lazos directos de solidaridad entre los sindicatos venezolanos y los sindicatos de todo el mundo.'
        ]
      }
    },
    goal: 2000,
    allowOrganisations: true,
    donationUrl: 'https://example.org/hands-off-venezuela/donate',
    joinUrl: 'https://example.org/hands-off-venezuela/join'
  },
  {
    slug: 'control-obrero-guayana',
    originalLanguage: 'es',
    texts: {
      es: {
        title: 'Con los trabajadores del aluminio: por un control obrero real en Guayana',
        summary: 'Los trabajadores de una planta de aluminio de Guayana están convirtiendo la cogestión en control obrero y se preparan para unas elecciones sindicales decisivas. Pedimos tu apoyo.',
        body: [
          'En la planta de aluminio de Guayana, la cogestión ha dejado de ser una palabra en los papeles. Los trabajadores eligen a sus gerentes, que siguen cobrando el mismo salario que tenían en la línea de producción, y las asambleas discuten la marcha de la empresa. Es una experiencia pequeña, pero demuestra en la práctica que los trabajadores pueden dirigir la industria.',
          'Esa experiencia tiene enemigos, dentro y fuera de la empresa. Funcionarios y burócratas que prefieren que nada cambie intentan frenar el proceso y recuperar el mando desde arriba. Las próximas elecciones sindicales decidirán si el sindicato sigue siendo una herramienta de los trabajadores o vuelve a manos de quienes quieren desmovilizarlos.',
          'Más de doscientos trabajadores y activistas sindicales de las industrias básicas se reunieron hace poco para debatir cómo extender el control obrero al resto de las empresas de la región. Con este llamamiento queremos que su lucha se conozca fuera de Guayana y que reciba la solidaridad de sindicatos y organizaciones de otros lugares.',
          '*Por ahora este texto solo está disponible en castellano; pronto publicaremos las traducciones.*'
        ].join('\n\n'),
        demands: [
          'Respeto a la voluntad de los trabajadores en las elecciones sindicales, sin injerencia de la gerencia ni del Ministerio.',
          'Elección y revocabilidad de todos los cargos de dirección por la asamblea de trabajadores.',
          'Ningún gerente con un salario superior al de un trabajador cualificado.',
          'Libros de cuentas de la empresa abiertos al control de los trabajadores.',
          'Extensión del control obrero a todas las industrias básicas de Guayana.'
        ]
      }
    },
    goal: 500,
    allowOrganisations: true,
    donationUrl: 'https://example.org/control-obrero-guayana/donar',
    joinUrl: null
  },
  {
    slug: 'fin-al-estado-de-emergencia',
    originalLanguage: 'es',
    texts: {
      es: {
        title: '¡Fin al estado de emergencia! ¡Paro nacional ya!',
        summary: 'Declaración ante la represión que ya ha dejado decenas de muertos en el sur del país: exigimos el fin del estado de emergencia, un paro nacional inmediato, justicia para las víctimas y una Asamblea Constituyente.',
        body: [
          '**Lima, 20 de enero de 2025**',
          'Desde que se decretó el estado de emergencia, las fuerzas armadas y la policía tienen carta blanca para reprimir. Las provincias más pobres del sur y del interior, que se levantaron contra un Congreso y un Gobierno que no representan a nadie, ponen los muertos: son ya 27 las personas asesinadas, y ninguna autoridad ha respondido por ellas.',
          'El Congreso pretende calmar la calle con un calendario electoral hecho a su medida. Pero lo que reclama el pueblo movilizado es otra cosa: que se vayan ya, y que sea el pueblo quien decida cómo se organiza el país, con elecciones inmediatas y una Asamblea Constituyente.',
          'Las direcciones de las grandes centrales sindicales han dejado sola a la población rural que llegó a las ciudades. Hablan de un paro nacional sin fecha mientras la represión continúa. La lucha es ahora: la clase trabajadora debe sumarse con todas sus fuerzas, y la coordinación desde las bases es la mejor garantía de que así sea.',
          'Pedimos a las organizaciones sindicales, sociales y políticas, dentro y fuera del país, que suscriban esta declaración y hagan suyas las siguientes exigencias.'
        ].join('\n\n'),
        demands: [
          'Fin inmediato del estado de emergencia y retirada de las fuerzas armadas de las calles.',
          'Justicia para los asesinados: juicio y castigo a los responsables políticos y materiales de cada muerte.',
          'Libertad para todas las personas detenidas por protestar y fin de la persecución judicial a los dirigentes sociales.',
          'Que las centrales sindicales convoquen ya un paro nacional, con fecha y plan de lucha.',
          'Salida inmediata del Gobierno y del Congreso.',
          'Convocatoria de una Asamblea Constituyente libre y soberana.',
          'Recuperación de las minas, el petróleo y la tierra al servicio de los trabajadores y del pueblo.'
        ]
      },
      en: {
        title: 'End the state of emergency! National strike now!',
        summary: 'A statement on the repression that has already left dozens dead in the south of the country: we demand an end to the state of emergency, an immediate national strike, justice for the victims and a Constituent Assembly.',
        body: [
          '**Lima, 20 January 2025**',
          'Since the state of emergency was declared, the armed forces and the police have had a free hand to repress. The poorest provinces of the south and the interior, which rose up against a Congress and a Government that represent nobody, are burying their dead: 27 people have now been killed, and no authority has answered for them.',
          'Congress hopes to calm the streets with an electoral timetable tailored to its own needs. But the people in struggle are demanding something else: that they go now, and that the people decide how the country is run, through immediate elections and a Constituent Assembly.',
          'The leaders of the main trade union federations have left the rural population who came to the cities to fight alone. They talk of a national strike with no date while the repression goes on. The struggle is now: the working class must join it with all its strength, and coordination from the rank and file is the best guarantee that it will.',
          'We ask trade unions, social movements and political organisations, in the country and abroad, to endorse this statement and to take up the following demands.'
        ].join('\n\n'),
        demands: [
          'An immediate end to the state of emergency and the withdrawal of the armed forces from the streets.',
          'Justice for those killed: trial and punishment of those politically and directly responsible for every death.',
          'Freedom for everyone detained for protesting and an end to the prosecution of community leaders.',
          'The trade union federations must call a national strike now, with a date and a plan of action.',
          'The Government and Congress must go now.',
          'A free and sovereign Constituent Assembly.',
          'The mines, the oil and the land to be taken back and put at the service of the workers and the people.'
        ]
      }
    },
    goal: null,
    allowOrganisations: true,
    donationUrl: null,
    joinUrl: null
  }
]

export const demoCountries: DemoCountry[] = [
  { code: 'VE', weight: 220, cities: ['Caracas', 'Ciudad Guayana', 'Barquisimeto'] },
  { code: 'GB', weight: 160, cities: ['London', 'Manchester', 'Glasgow'] },
  { code: 'ES', weight: 120, cities: ['Madrid', 'Barcelona', 'Seville'] },
  { code: 'MX', weight: 90, cities: ['Mexico City', 'Guadalajara', 'Monterrey'] },
  { code: 'AR', weight: 80, cities: ['Buenos Aires', 'Rosario', 'Córdoba'] },
  { code: 'CO', weight: 70, cities: ['Bogotá', 'Medellín', 'Cali'] },
  { code: 'US', weight: 65, cities: ['New York', 'Chicago', 'Los Angeles'] },
  { code: 'BR', weight: 60, cities: ['São Paulo', 'Rio de Janeiro', 'Porto Alegre'] },
  { code: 'GR', weight: 55, cities: ['Athens', 'Thessaloniki'] },
  { code: 'IT', weight: 50, cities: ['Rome', 'Milan', 'Turin'] },
  { code: 'FR', weight: 45, cities: ['Paris', 'Marseille', 'Lyon'] },
  { code: 'DE', weight: 40, cities: ['Berlin', 'Hamburg', 'Cologne'] },
  { code: 'CA', weight: 35, cities: ['Toronto', 'Montreal', 'Vancouver'] },
  { code: 'PK', weight: 32, cities: ['Lahore', 'Karachi', 'Islamabad'] },
  { code: 'IN', weight: 30, cities: ['Mumbai', 'Delhi', 'Kolkata'] },
  { code: 'BO', weight: 26, cities: ['La Paz', 'Cochabamba'] },
  { code: 'CL', weight: 25, cities: ['Santiago', 'Valparaíso'] },
  { code: 'PE', weight: 24, cities: ['Lima', 'Arequipa', 'Cusco'] },
  { code: 'SV', weight: 20, cities: ['San Salvador', 'Santa Ana'] },
  { code: 'EC', weight: 18, cities: ['Quito', 'Guayaquil'] },
  { code: 'IE', weight: 16, cities: ['Dublin', 'Cork'] },
  { code: 'PT', weight: 15, cities: ['Lisbon', 'Porto'] },
  { code: 'SE', weight: 14, cities: ['Stockholm', 'Gothenburg'] },
  { code: 'NL', weight: 13, cities: ['Amsterdam', 'Rotterdam'] },
  { code: 'BE', weight: 12, cities: ['Brussels', 'Antwerp', 'Liège'] },
  { code: 'AT', weight: 11, cities: ['Vienna', 'Linz'] },
  { code: 'CH', weight: 10, cities: ['Zurich', 'Geneva'] },
  { code: 'DK', weight: 10, cities: ['Copenhagen', 'Aarhus'] },
  { code: 'NO', weight: 9, cities: ['Oslo', 'Bergen'] },
  { code: 'FI', weight: 9, cities: ['Helsinki', 'Tampere'] },
  { code: 'PL', weight: 8, cities: ['Warsaw', 'Kraków'] },
  { code: 'CU', weight: 8, cities: ['Havana', 'Santiago de Cuba'] },
  { code: 'NI', weight: 7, cities: ['Managua', 'León'] },
  { code: 'UY', weight: 7, cities: ['Montevideo'] },
  { code: 'PY', weight: 6, cities: ['Asunción'] },
  { code: 'DO', weight: 6, cities: ['Santo Domingo', 'Santiago de los Caballeros'] },
  { code: 'AU', weight: 6, cities: ['Sydney', 'Melbourne'] },
  { code: 'ZA', weight: 6, cities: ['Johannesburg', 'Cape Town', 'Durban'] },
  { code: 'PR', weight: 5, cities: ['San Juan'] },
  { code: 'GT', weight: 5, cities: ['Guatemala City', 'Quetzaltenango'] },
  { code: 'HN', weight: 5, cities: ['Tegucigalpa', 'San Pedro Sula'] },
  { code: 'JP', weight: 5, cities: ['Tokyo', 'Osaka'] },
  { code: 'NG', weight: 5, cities: ['Lagos', 'Abuja'] },
  { code: 'CR', weight: 4, cities: ['San José'] },
  { code: 'PA', weight: 4, cities: ['Panama City'] },
  { code: 'NZ', weight: 4, cities: ['Auckland', 'Wellington'] },
  { code: 'KE', weight: 3, cities: ['Nairobi', 'Mombasa'] },
  { code: 'MA', weight: 3, cities: ['Casablanca', 'Rabat'] },
  { code: 'TN', weight: 3, cities: ['Tunis', 'Sfax'] },
  { code: 'EG', weight: 3, cities: ['Cairo', 'Alexandria'] },
  { code: 'IR', weight: 3, cities: ['Tehran'] },
  { code: 'IQ', weight: 3, cities: ['Baghdad', 'Basra'] },
  { code: 'TR', weight: 3, cities: ['Istanbul', 'Ankara'] },
  { code: 'RU', weight: 3, cities: ['Moscow', 'Saint Petersburg'] },
  { code: 'ID', weight: 3, cities: ['Jakarta'] },
  { code: 'PH', weight: 3, cities: ['Manila'] },
  { code: 'AF', weight: 2, cities: ['Kabul'] },
  { code: 'VN', weight: 2, cities: ['Hanoi', 'Ho Chi Minh City'] },
  { code: 'MR', weight: 2, cities: ['Nouakchott'] },
  { code: 'LK', weight: 2, cities: ['Colombo'] },
  { code: 'BD', weight: 2, cities: ['Dhaka'] },
  { code: 'CZ', weight: 2, cities: ['Prague'] },
  { code: 'HU', weight: 2, cities: ['Budapest'] },
  { code: 'RO', weight: 2, cities: ['Bucharest'] },
  { code: 'SN', weight: 1, cities: ['Dakar'] }
]

export const firstNames: string[] = [
  // Latin American and Spanish
  'María', 'José', 'Carmen', 'Luis', 'Ana', 'Carlos', 'Rosa', 'Juan', 'Lucía', 'Miguel',
  'Gabriela', 'Jorge', 'Daniela', 'Alejandro', 'Valentina', 'Andrés', 'Camila', 'Diego', 'Isabel', 'Pedro',
  'Sofía', 'Javier', 'Elena', 'Pablo',
  // Portuguese and Brazilian
  'João', 'Mariana', 'Rafael', 'Beatriz', 'Thiago', 'Inês',
  // Arabic
  'Mohammed', 'Fatima', 'Ahmed', 'Aisha', 'Omar', 'Layla', 'Youssef', 'Mariam', 'Hassan', 'Nour',
  'Karim', 'Amina',
  // Greek
  'Giorgos', 'Eleni', 'Dimitris', 'Katerina', 'Nikos', 'Kostas', 'Despina', 'Yannis',
  // British and Irish
  'James', 'Sarah', 'David', 'Emma', 'John', 'Claire', 'Michael', 'Rachel', 'Paul', 'Helen',
  'Mark', 'Siobhan', 'Sean', 'Fiona',
  // Pakistani and Indian
  'Imran', 'Ayesha', 'Bilal', 'Sana', 'Asif', 'Farah', 'Priya', 'Rahul', 'Anjali', 'Arjun',
  'Sunita', 'Vikram', 'Deepa', 'Ravi',
  // Vietnamese
  'Minh', 'Linh', 'Huong', 'Tuan', 'Thanh',
  // Japanese
  'Hiroshi', 'Yuki', 'Kenji', 'Akiko', 'Takeshi', 'Haruka',
  // French
  'Pierre', 'Camille', 'Nicolas', 'Julie', 'Mathieu', 'Élodie', 'Sébastien',
  // German
  'Thomas', 'Anna', 'Stefan', 'Katrin', 'Jürgen', 'Sabine', 'Lukas',
  // Italian
  'Giuseppe', 'Francesca', 'Marco', 'Giulia', 'Alessandro', 'Chiara',
  // African
  'Kwame', 'Amara', 'Chinedu', 'Ngozi', 'Thabo', 'Zanele', 'Oluwaseun', 'Wanjiru', 'Mamadou', 'Aminata',
  // Turkish
  'Mehmet', 'Zeynep'
]

export const lastNames: string[] = [
  // Latin American and Spanish
  'García', 'Rodríguez', 'González', 'Fernández', 'López', 'Martínez', 'Sánchez', 'Pérez', 'Gómez', 'Díaz',
  'Hernández', 'Ramírez', 'Torres', 'Flores', 'Rivera', 'Morales', 'Vargas', 'Castillo', 'Rojas', 'Ortiz',
  'Romero', 'Herrera', 'Medina', 'Guzmán', 'Quispe', 'Mamani', 'Ramos', 'Cruz',
  // Portuguese and Brazilian
  'Silva', 'Santos', 'Oliveira', 'Souza', 'Costa', 'Pereira', 'Almeida',
  // Arabic
  'Haddad', 'Khalil', 'Mansour', 'Nasser', 'Saleh', 'Hamdan', 'Abdallah', 'Said',
  // Greek
  'Papadopoulos', 'Georgiou', 'Nikolaidis', 'Konstantinou', 'Dimitriou', 'Ioannou', 'Vlachos',
  // British and Irish
  'Smith', 'Jones', 'Williams', 'Brown', 'Taylor', 'Davies', 'Evans', 'Wilson', 'Thomas', 'Roberts',
  'Walsh', 'Murphy', "O'Brien", 'Kelly', 'Campbell', 'MacDonald',
  // Pakistani and Indian
  'Khan', 'Ahmed', 'Hussain', 'Malik', 'Qureshi', 'Butt', 'Sharma', 'Patel', 'Singh', 'Gupta',
  'Kumar', 'Das', 'Iyer', 'Reddy',
  // Vietnamese
  'Nguyen', 'Tran', 'Le', 'Pham', 'Hoang',
  // Japanese
  'Sato', 'Suzuki', 'Takahashi', 'Tanaka', 'Watanabe', 'Yamamoto',
  // French
  'Martin', 'Bernard', 'Dubois', 'Durand', 'Lefebvre', 'Moreau',
  // German
  'Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Becker',
  // Italian
  'Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano',
  // African
  'Mensah', 'Okafor', 'Adeyemi', 'Nkosi', 'Dlamini', 'Mwangi', 'Diallo', 'Traoré', 'Osei', 'Banda',
  // Turkish
  'Yılmaz', 'Demir'
]

export const roles: string[] = [
  'member',
  'shop steward',
  'branch secretary',
  'branch chair',
  'health and safety rep',
  'trades council delegate',
  'union organiser',
  'student',
  'nurse',
  'teacher',
  'bus driver',
  'retired',
  'delegado sindical',
  'secretaria general',
  'trabajadora textil',
  'obrero metalúrgico',
  'estudiante'
]

export const demoEndorsements: DemoOrganisation[] = [
  { organisation: 'Coordinadora Nacional Unitaria de Trabajadores de Venezuela', organisationType: 'trade_union', country: 'VE', members: 1_150_000, contactRole: 'coordinador nacional' },
  { organisation: "General and Allied Workers' Union", organisationType: 'trade_union', country: 'GB', members: 1_390_000, contactRole: 'general secretary' },
  { organisation: 'United Public Services Union', organisationType: 'trade_union', country: 'GB', members: 1_310_000, contactRole: 'assistant general secretary' },
  { organisation: "Municipal, Health and General Workers' Federation", organisationType: 'trade_union', country: 'GB', members: 980_000, contactRole: 'regional secretary' },
  { organisation: "Retail, Distribution and Shopworkers' Union", organisationType: 'trade_union', country: 'GB', members: 720_000, contactRole: 'president' },
  { organisation: 'National Union of Schoolteachers and Education Staff', organisationType: 'trade_union', country: 'GB', members: 390_000, contactRole: 'executive member' },
  { organisation: 'Civil and Public Administration Staff Union', organisationType: 'trade_union', country: 'GB', members: 190_000, contactRole: 'deputy general secretary' },
  { organisation: 'National Union of Rail and Transport Workers', organisationType: 'trade_union', country: 'GB', members: 80_000, contactRole: 'regional organiser' },
  { organisation: 'Sindicato de Trabajadores del Metal de Andalucía', organisationType: 'trade_union', country: 'ES', members: 42_000, contactRole: 'secretario general' },
  { organisation: 'Panhellenic Union of Port and Shipyard Workers', organisationType: 'trade_union', country: 'GR', members: 12_000, contactRole: 'president' },
  { organisation: 'Sindicato de Trabajadores Gráficos de Córdoba', organisationType: 'trade_union', country: 'AR', members: 9_000, contactRole: 'secretaria general' },
  { organisation: 'Ontario Federation of Transit Workers', organisationType: 'trade_union', country: 'CA', members: 34_000, contactRole: 'president' }
]

export const statementEndorsements: DemoOrganisation[] = [
  { organisation: 'Federación de Trabajadores Mineros del Sur Andino', organisationType: 'trade_union', country: 'PE', members: 42_000, contactRole: 'secretario general' },
  { organisation: 'Frente Popular de Defensa de Juliaca', organisationType: 'community_group', country: 'PE', members: 3_500, contactRole: 'presidenta' },
  { organisation: 'Partido de los Trabajadores del Altiplano', organisationType: 'political_party', country: 'BO', members: 1_200, contactRole: 'secretario de organización' },
  { organisation: 'Sindicato de Profesores de Valparaíso', organisationType: 'trade_union', country: 'CL', members: 6_800, contactRole: 'presidente' },
  { organisation: 'Asociación por los Derechos Humanos y la Memoria', organisationType: 'ngo', country: 'AR', members: 450, contactRole: 'coordinadora' },
  { organisation: 'Coordinadora de Solidaridad con los Pueblos Andinos', organisationType: 'community_group', country: 'ES', members: 220, contactRole: 'portavoz' }
]

export const demoEvents: DemoEvent[] = [
  { title: 'Encuentro internacionalista: las delegaciones de solidaridad en Caracas', city: 'Caracas', country: 'VE', latitude: 10.49, longitude: -66.88, attendance: 500, daysFromStart: 20 },
  { title: 'Solidarity vigil outside the Venezuelan embassy', city: 'London', country: 'GB', latitude: 51.51, longitude: -0.13, attendance: 120, daysFromStart: 0 },
  { title: 'Public meeting: Hands off Venezuela', city: 'Manchester', country: 'GB', latitude: 53.48, longitude: -2.24, attendance: 65, daysFromStart: 3 },
  { title: "Trade union meeting: workers' control in Venezuela", city: 'Glasgow', country: 'GB', latitude: 55.86, longitude: -4.25, attendance: 40, daysFromStart: 7 },
  { title: 'Concentración de solidaridad con los trabajadores venezolanos', city: 'Madrid', country: 'ES', latitude: 40.42, longitude: -3.70, attendance: 250, daysFromStart: 1 },
  { title: 'Acto público: ¡Manos fuera de Venezuela!', city: 'Barcelona', country: 'ES', latitude: 41.39, longitude: 2.17, attendance: 180, daysFromStart: 5 },
  { title: 'Mitin de solidaridad con la revolución venezolana', city: 'Mexico City', country: 'MX', latitude: 19.43, longitude: -99.13, attendance: 300, daysFromStart: 2 },
  { title: 'Foro universitario: control obrero en Venezuela', city: 'Guadalajara', country: 'MX', latitude: 20.67, longitude: -103.35, attendance: 90, daysFromStart: 9 },
  { title: 'Acto de solidaridad con los trabajadores venezolanos', city: 'Buenos Aires', country: 'AR', latitude: -34.60, longitude: -58.38, attendance: 400, daysFromStart: 4 },
  { title: 'Charla debate: la revolución venezolana hoy', city: 'Rosario', country: 'AR', latitude: -32.95, longitude: -60.64, attendance: null, daysFromStart: 11 },
  { title: 'Plantón en solidaridad con el pueblo venezolano', city: 'Bogotá', country: 'CO', latitude: 4.71, longitude: -74.07, attendance: 200, daysFromStart: 1 },
  { title: 'Rally in solidarity with Venezuelan workers', city: 'New York', country: 'US', latitude: 40.71, longitude: -74.01, attendance: 150, daysFromStart: 6 },
  { title: 'Teach-in: what is really happening in Venezuela?', city: 'Chicago', country: 'US', latitude: 41.88, longitude: -87.63, attendance: 45, daysFromStart: 13 },
  { title: 'Ato de solidariedade com os trabalhadores venezuelanos', city: 'São Paulo', country: 'BR', latitude: -23.55, longitude: -46.63, attendance: 260, daysFromStart: 7 },
  { title: 'Εκδήλωση αλληλεγγύης στη Βενεζουέλα', city: 'Athens', country: 'GR', latitude: 37.98, longitude: 23.73, attendance: 220, daysFromStart: 3 },
  { title: 'Public meeting: Hands off Venezuela', city: 'Thessaloniki', country: 'GR', latitude: 40.64, longitude: 22.94, attendance: 70, daysFromStart: 10 },
  { title: 'Presidio di solidarietà con i lavoratori venezuelani', city: 'Rome', country: 'IT', latitude: 41.90, longitude: 12.50, attendance: 110, daysFromStart: 2 },
  { title: 'Assemblea pubblica: giù le mani dal Venezuela', city: 'Milan', country: 'IT', latitude: 45.46, longitude: 9.19, attendance: 85, daysFromStart: 8 },
  { title: 'Réunion publique : bas les pattes devant le Venezuela !', city: 'Paris', country: 'FR', latitude: 48.86, longitude: 2.35, attendance: 75, daysFromStart: 9 },
  { title: 'Solidaritätskundgebung für die Arbeiterinnen und Arbeiter Venezuelas', city: 'Berlin', country: 'DE', latitude: 52.52, longitude: 13.40, attendance: 130, daysFromStart: 4 },
  { title: 'Rally in solidarity with Venezuelan workers', city: 'Toronto', country: 'CA', latitude: 43.65, longitude: -79.38, attendance: 95, daysFromStart: 5 },
  { title: 'Soirée de solidarité avec le Venezuela', city: 'Montreal', country: 'CA', latitude: 45.50, longitude: -73.57, attendance: 60, daysFromStart: 12 },
  { title: 'Seminar: solidarity with the Venezuelan revolution', city: 'Lahore', country: 'PK', latitude: 31.55, longitude: 74.34, attendance: 350, daysFromStart: 6 },
  { title: "Workers' rally: Hands off Venezuela", city: 'Karachi', country: 'PK', latitude: 24.86, longitude: 67.01, attendance: 600, daysFromStart: 14 },
  { title: 'Public meeting: solidarity with Venezuelan workers', city: 'Kolkata', country: 'IN', latitude: 22.57, longitude: 88.36, attendance: 180, daysFromStart: 15 },
  { title: 'Foro: solidaridad con el pueblo venezolano', city: 'San Salvador', country: 'SV', latitude: 13.69, longitude: -89.22, attendance: 140, daysFromStart: 8 },
  { title: 'Public meeting: Hands off Venezuela', city: 'Dublin', country: 'IE', latitude: 53.35, longitude: -6.26, attendance: 35, daysFromStart: 16 },
  { title: 'Solidaritetsmöte för Venezuela', city: 'Stockholm', country: 'SE', latitude: 59.33, longitude: 18.07, attendance: 30, daysFromStart: 17 },
  { title: 'Rassemblement de solidarité avec le Venezuela', city: 'Brussels', country: 'BE', latitude: 50.85, longitude: 4.35, attendance: null, daysFromStart: 18 },
  { title: 'Solidaritätsveranstaltung: Hände weg von Venezuela', city: 'Vienna', country: 'AT', latitude: 48.21, longitude: 16.37, attendance: 55, daysFromStart: 19 }
]

/**
 * The fundraising appeal: a trade unionist taken ill abroad, and a solidarity fund for the hospital and the
 * way home. The person, the relative and every supporter are fictional; no real name or document number.
 */
/** A way to give, keyed as the reports name it. */
const way = (key: string, title: string, text: string) => ({ key, title, text })

export const demoFund = {
  slug: 'fondo-solidario-tomas-ferreyra',
  originalLanguage: 'es',
  texts: {
    es: {
      title: 'Campaña urgente de solidaridad con Tomás Ferreyra, sindicalista hospitalizado en Buenos Aires',
      summary: 'Tomás Ferreyra, dirigente sindical venezolano, está en cuidados intensivos en Buenos Aires. Su familia y sus compañeros reúnen fondos para los gastos médicos y el regreso.',
      body: 'Tomás Ferreyra, organizador de sindicatos metalúrgicos en Carabobo durante cuarenta años, enfermó gravemente durante una visita a Argentina y sigue en cuidados intensivos. Su recuperación es lenta y no cuenta con recursos para cubrir los gastos médicos ni la prolongación de su estancia.\n\nSus familiares, compañeros y amigos llaman a aportar al fondo solidario e **informar de cada aporte con su comprobante**, para llevar una cuenta abierta de esta campaña.\n\n¡Adelante, Tomás, estamos contigo!',
      demands: []
    },
    en: {
      title: 'Urgent solidarity campaign for Tomás Ferreyra, trade unionist in hospital in Buenos Aires',
      summary: 'Tomás Ferreyra, a Venezuelan trade union leader, is in intensive care in Buenos Aires. His family and comrades are raising money for his medical bills and his journey home.',
      body: 'Tomás Ferreyra, who organised metalworkers\' unions in Carabobo for forty years, fell gravely ill on a visit to Argentina and remains in intensive care. His recovery is slow, and he has no means to cover the medical costs or his longer stay.\n\nHis relatives, comrades and friends call for contributions to the solidarity fund, and ask you to **report each contribution with its receipt**, so that the campaign keeps an open account.\n\nForward, Tomás, we are with you!',
      demands: []
    }
  },
  fund: {
    goalCurrency: 'EUR',
    goalAmount: 600_000,
    rates: { USD: 0.92, ARS: 0.00095 },
    ratesDate: '2026-05-03',
    texts: {
      es: {
        purpose: 'Los gastos del hospital y de los medicamentos, el alojamiento de la familia y el vuelo de regreso a Venezuela.',
        ways: [
          way('giro', 'Giro internacional', 'Envía un giro a nombre de su hermana, **Lucía Ferreyra** (Buenos Aires, Argentina), y guarda el comprobante.'),
          way('transferencia', 'Transferencia bancaria', 'A la cuenta del sindicato: pide los datos a `fondo@example.org`.'),
          way('efectivo', 'En efectivo, en un acto', 'En los actos de solidaridad, a los compañeros que llevan la colecta.')
        ]
      },
      en: {
        purpose: 'The hospital and medicines, the family\'s lodging, and the flight home to Venezuela.',
        ways: [
          way('giro', 'International money transfer', 'Send a money transfer to his sister, **Lucía Ferreyra** (Buenos Aires, Argentina), and keep the receipt.'),
          way('transferencia', 'Bank transfer', 'To the union\'s account: ask `fondo@example.org` for its details.'),
          way('efectivo', 'Cash, at an event', 'At the solidarity events, to the comrades taking the collection.')
        ]
      }
    },
    reports: [
      { amount: '50', currency: 'USD', way: 'giro', country: 'VE', name: 'Carmen Rojas', message: '¡Fuerza, compañero!', daysAgo: 12, verified: true },
      { amount: '150000', currency: 'ARS', way: 'giro', country: 'AR', name: 'Comisión interna, taller metalúrgico', daysAgo: 10, verified: true },
      { amount: '100', currency: 'EUR', way: 'transferencia', country: 'ES', anonymous: true, message: 'Solidarity from Bilbao.', daysAgo: 9, verified: true },
      { amount: '30', currency: 'EUR', way: 'transferencia', country: 'FR', name: 'Julien Martin', daysAgo: 6, verified: true },
      { amount: '20', currency: 'USD', way: 'giro', country: 'CO', name: 'Andrés Gómez', daysAgo: 3, verified: false },
      { amount: '40000', currency: 'ARS', way: 'giro', country: 'AR', anonymous: true, daysAgo: 1, verified: false }
    ],
    spending: [
      { amount: 25_000, currency: 'EUR', purpose: 'Medicamentos', daysAgo: 8 },
      { amount: 12_000, currency: 'EUR', purpose: 'Alojamiento de la familia', daysAgo: 4 }
    ]
  }
}
