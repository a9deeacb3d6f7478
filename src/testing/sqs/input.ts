/**
 * Typed reads of an AWS JSON 1.0 request body. A member of the wrong JSON type is a
 * `SerializationException`, as the JSON front end answers; a missing required one is `MissingParameter`.
 */
import { sqsError } from "./errors.js";

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function wrongType(name: string, expected: string): never {
  throw sqsError("SerializationException", `Member ${name} must be ${expected}.`);
}

export function missing(name: string): never {
  throw sqsError("MissingParameter", `The request must contain the parameter ${name}.`);
}

export function optionalString(input: JsonObject, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") wrongType(name, "a string");
  return value;
}

export function requiredString(input: JsonObject, name: string): string {
  const value = optionalString(input, name);
  if (value === undefined || value === "") missing(name);
  return value;
}

export function optionalInteger(input: JsonObject, name: string): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value)) wrongType(name, "an integer");
  return value;
}

export function optionalStringList(input: JsonObject, name: string): string[] | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) wrongType(name, "a list of strings");
  return value as string[];
}

export function optionalStringMap(input: JsonObject, name: string): Record<string, string> | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value) || Object.values(value).some((v) => typeof v !== "string")) wrongType(name, "a map of strings");
  return value as Record<string, string>;
}

export function optionalObjectMap(input: JsonObject, name: string): Record<string, JsonObject> | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value) || Object.values(value).some((v) => !isObject(v))) wrongType(name, "a map of structures");
  return value as Record<string, JsonObject>;
}

export function optionalObjectList(input: JsonObject, name: string): JsonObject[] | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => !isObject(v))) wrongType(name, "a list of structures");
  return value as JsonObject[];
}

/** Checks an integer parameter's range with SQS's wording. */
export function checkRange(name: string, value: number, min: number, max: number): number {
  if (value < min || value > max) {
    throw sqsError(
      "InvalidParameterValue",
      `Value ${value} for parameter ${name} is invalid. Reason: Must be between ${min} and ${max}, if provided.`,
    );
  }
  return value;
}
