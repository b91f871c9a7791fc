import { Type } from 'typebox'
import { Email } from '../http/schemas.js'

/** Whose signatures to erase: the address they signed with (the API and the dashboard's form alike). */
export const ErasureInput = Type.Object({ email: Email }, { additionalProperties: false })
