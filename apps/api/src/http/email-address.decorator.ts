import { buildMessage, isEmail, ValidateBy, type ValidationOptions } from 'class-validator';

/**
 * class-validator's @IsEmail(), with the same name and message, except that a string validator.js
 * cannot take is an invalid address instead of an exception: an unpaired surrogate ("\ud800", legal
 * in JSON) makes its encodeURI throw, which the ValidationPipe let through as a 500.
 */
export function IsEmailAddress(validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isEmail',
      validator: {
        validate: (value: unknown) => {
          try {
            return isEmail(value as string);
          } catch {
            return false;
          }
        },
        defaultMessage: buildMessage((eachPrefix) => `${eachPrefix}$property must be an email`, validationOptions),
      },
    },
    validationOptions,
  );
}
