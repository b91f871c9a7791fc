import { Type } from 'typebox'
import { Email, Line } from '../http/schemas.js'
import { MIN_PASSWORD_LENGTH } from './passwords.js'

export const Role = Type.Union([Type.Literal('admin'), Type.Literal('organiser')])

export const AppealRoleSchema = Type.Union([Type.Literal('owner'), Type.Literal('organiser'), Type.Literal('moderator'), Type.Literal('viewer')])

/** A password someone chooses (the service also refuses the most common ones). */
export const NewPassword = Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: 1000 })

/** An organiser account as it is made: by an admin, or as the first admin (with the server's token). */
const account = {
  email: Email,
  name: Line(200),
  password: NewPassword
}

export const NewOrganiserInput = Type.Object({ ...account, role: Type.Optional(Role) }, { additionalProperties: false })
export const FirstAdminInput = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }), ...account }, { additionalProperties: false })
