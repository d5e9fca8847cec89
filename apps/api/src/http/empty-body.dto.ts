/** Documents the body of a command that takes none: nothing, or `{}`. EmptyBodyPipe refuses anything in it. */
export class EmptyBodyDto {}
