/**
 * The gnostic `openapi.v2` messages, as kubemu's own table (format: src/openapi/gnostic-v2-fields.ts).
 * Names, numbers and types are facts of the protocol (google/gnostic-models
 * openapiv2/OpenAPIv2.proto, which test/openapi/gnostic-v2.test.ts holds this table against);
 * JSON keys are those of Swagger 2.0, as gnostic's compiler reads them.
 * Owns: the message table. Must not: encode, or know Kubernetes.
 */
import {
  alternative, field, list, map, named, namedEntries, object, oneof, repeated, vendorExtension,
  type GnosticMessage,
} from './gnostic-v2-fields.js';

const NON_BODY_IN = (value: string) => ({ equals: { in: value } });

/**
 * The validation keywords shared by `Header`, `PrimitivesItems` and the non-body parameter
 * sub-schemas, numbered from `first`: type, format, items, collectionFormat, default, maximum,
 * exclusiveMaximum, minimum, exclusiveMinimum, maxLength, minLength, pattern, maxItems,
 * minItems, uniqueItems, enum, multipleOf.
 */
function validations(first: number) {
  return [
    field(first, 'type', 'string'),
    field(first + 1, 'format', 'string'),
    field(first + 2, 'items', 'PrimitivesItems'),
    field(first + 3, 'collection_format', 'string'),
    field(first + 4, 'default', 'Any'),
    field(first + 5, 'maximum', 'double'),
    field(first + 6, 'exclusive_maximum', 'bool'),
    field(first + 7, 'minimum', 'double'),
    field(first + 8, 'exclusive_minimum', 'bool'),
    field(first + 9, 'max_length', 'int64'),
    field(first + 10, 'min_length', 'int64'),
    field(first + 11, 'pattern', 'string'),
    field(first + 12, 'max_items', 'int64'),
    field(first + 13, 'min_items', 'int64'),
    field(first + 14, 'unique_items', 'bool'),
    repeated(first + 15, 'enum', 'Any'),
    field(first + 16, 'multiple_of', 'double'),
  ];
}

/** A non-body parameter: required, in, description, name, [allowEmptyValue], then the validations. */
function parameterSubSchema(allowEmptyValue: boolean): GnosticMessage {
  const head = [field(1, 'required', 'bool'), field(2, 'in', 'string'), field(3, 'description', 'string'), field(4, 'name', 'string')];
  if (allowEmptyValue) head.push(field(5, 'allow_empty_value', 'bool'));
  const rest = validations(head.length + 1);
  return object(...head, ...rest, vendorExtension(head.length + rest.length + 1));
}

/** An OAuth2 security scheme: type, flow, scopes, then `urls` (each a string field), description. */
function oauth2(...urls: string[]): GnosticMessage {
  const fields = [field(1, 'type', 'string'), field(2, 'flow', 'string'), field(3, 'scopes', 'Oauth2Scopes')];
  for (const url of urls) fields.push(field(fields.length + 1, url, 'string'));
  fields.push(field(fields.length + 1, 'description', 'string'));
  return object(...fields, vendorExtension(fields.length + 1));
}

/** Every message of OpenAPIv2.proto, by name. */
export const GNOSTIC_V2_MESSAGES: Readonly<Record<string, GnosticMessage>> = {
  AdditionalPropertiesItem: oneof(
    alternative(1, 'schema', 'Schema', { jsonType: 'object' }),
    alternative(2, 'boolean', 'bool', { jsonType: 'boolean' }),
  ),
  Any: { shape: 'any', fields: [field(1, 'value', 'google.protobuf.Any'), field(2, 'yaml', 'string')] },
  ApiKeySecurity: object(
    field(1, 'type', 'string'), field(2, 'name', 'string'), field(3, 'in', 'string'), field(4, 'description', 'string'),
    vendorExtension(5),
  ),
  BasicAuthenticationSecurity: object(field(1, 'type', 'string'), field(2, 'description', 'string'), vendorExtension(3)),
  BodyParameter: object(
    field(1, 'description', 'string'), field(2, 'name', 'string'), field(3, 'in', 'string'), field(4, 'required', 'bool'),
    field(5, 'schema', 'Schema'), vendorExtension(6),
  ),
  Contact: object(field(1, 'name', 'string'), field(2, 'url', 'string'), field(3, 'email', 'string'), vendorExtension(4)),
  Default: map('NamedAny'),
  Definitions: map('NamedSchema'),
  Document: object(
    field(1, 'swagger', 'string'),
    field(2, 'info', 'Info'),
    field(3, 'host', 'string'),
    field(4, 'base_path', 'string'),
    repeated(5, 'schemes', 'string'),
    repeated(6, 'consumes', 'string'),
    repeated(7, 'produces', 'string'),
    field(8, 'paths', 'Paths'),
    field(9, 'definitions', 'Definitions'),
    field(10, 'parameters', 'ParameterDefinitions'),
    field(11, 'responses', 'ResponseDefinitions'),
    repeated(12, 'security', 'SecurityRequirement'),
    field(13, 'security_definitions', 'SecurityDefinitions'),
    repeated(14, 'tags', 'Tag'),
    field(15, 'external_docs', 'ExternalDocs'),
    vendorExtension(16),
  ),
  Examples: map('NamedAny'),
  ExternalDocs: object(field(1, 'description', 'string'), field(2, 'url', 'string'), vendorExtension(3)),
  FileSchema: object(
    field(1, 'format', 'string'), field(2, 'title', 'string'), field(3, 'description', 'string'), field(4, 'default', 'Any'),
    repeated(5, 'required', 'string'), field(6, 'type', 'string'), field(7, 'read_only', 'bool'),
    field(8, 'external_docs', 'ExternalDocs'), field(9, 'example', 'Any'), vendorExtension(10),
  ),
  FormDataParameterSubSchema: parameterSubSchema(true),
  Header: object(...validations(1), field(18, 'description', 'string'), vendorExtension(19)),
  HeaderParameterSubSchema: parameterSubSchema(false),
  Headers: map('NamedHeader'),
  Info: object(
    field(1, 'title', 'string'), field(2, 'version', 'string'), field(3, 'description', 'string'),
    field(4, 'terms_of_service', 'string'), field(5, 'contact', 'Contact'), field(6, 'license', 'License'),
    vendorExtension(7),
  ),
  ItemsItem: list('schema', 'Schema'),
  JsonReference: object(field(1, '_ref', 'string', { json: '$ref' }), field(2, 'description', 'string')),
  License: object(field(1, 'name', 'string'), field(2, 'url', 'string'), vendorExtension(3)),
  NamedAny: named('Any'),
  NamedHeader: named('Header'),
  NamedParameter: named('Parameter'),
  NamedPathItem: named('PathItem'),
  NamedResponse: named('Response'),
  NamedResponseValue: named('ResponseValue'),
  NamedSchema: named('Schema'),
  NamedSecurityDefinitionsItem: named('SecurityDefinitionsItem'),
  NamedString: named('string'),
  NamedStringArray: named('StringArray'),
  NonBodyParameter: oneof(
    alternative(1, 'header_parameter_sub_schema', 'HeaderParameterSubSchema', NON_BODY_IN('header')),
    alternative(2, 'form_data_parameter_sub_schema', 'FormDataParameterSubSchema', NON_BODY_IN('formData')),
    alternative(3, 'query_parameter_sub_schema', 'QueryParameterSubSchema', NON_BODY_IN('query')),
    alternative(4, 'path_parameter_sub_schema', 'PathParameterSubSchema', NON_BODY_IN('path')),
  ),
  Oauth2AccessCodeSecurity: oauth2('authorization_url', 'token_url'),
  Oauth2ApplicationSecurity: oauth2('token_url'),
  Oauth2ImplicitSecurity: oauth2('authorization_url'),
  Oauth2PasswordSecurity: oauth2('token_url'),
  Oauth2Scopes: map('NamedString'),
  Operation: object(
    repeated(1, 'tags', 'string'),
    field(2, 'summary', 'string'),
    field(3, 'description', 'string'),
    field(4, 'external_docs', 'ExternalDocs'),
    field(5, 'operation_id', 'string'),
    repeated(6, 'produces', 'string'),
    repeated(7, 'consumes', 'string'),
    repeated(8, 'parameters', 'ParametersItem'),
    field(9, 'responses', 'Responses'),
    repeated(10, 'schemes', 'string'),
    field(11, 'deprecated', 'bool'),
    repeated(12, 'security', 'SecurityRequirement'),
    vendorExtension(13),
  ),
  Parameter: oneof(
    alternative(1, 'body_parameter', 'BodyParameter', { equals: { in: 'body' } }),
    alternative(2, 'non_body_parameter', 'NonBodyParameter'),
  ),
  ParameterDefinitions: map('NamedParameter'),
  ParametersItem: oneof(
    alternative(1, 'parameter', 'Parameter'),
    alternative(2, 'json_reference', 'JsonReference', { has: '$ref' }),
  ),
  PathItem: object(
    field(1, '_ref', 'string', { json: '$ref' }),
    field(2, 'get', 'Operation'),
    field(3, 'put', 'Operation'),
    field(4, 'post', 'Operation'),
    field(5, 'delete', 'Operation'),
    field(6, 'options', 'Operation'),
    field(7, 'head', 'Operation'),
    field(8, 'patch', 'Operation'),
    repeated(9, 'parameters', 'ParametersItem'),
    vendorExtension(10),
  ),
  PathParameterSubSchema: parameterSubSchema(false),
  Paths: object(vendorExtension(1), namedEntries(2, 'path', 'NamedPathItem', '^/')),
  PrimitivesItems: object(...validations(1), vendorExtension(18)),
  Properties: map('NamedSchema'),
  QueryParameterSubSchema: parameterSubSchema(true),
  Response: object(
    field(1, 'description', 'string'), field(2, 'schema', 'SchemaItem'), field(3, 'headers', 'Headers'),
    field(4, 'examples', 'Examples'), vendorExtension(5),
  ),
  ResponseDefinitions: map('NamedResponse'),
  ResponseValue: oneof(
    alternative(1, 'response', 'Response'),
    alternative(2, 'json_reference', 'JsonReference', { has: '$ref' }),
  ),
  Responses: object(namedEntries(1, 'response_code', 'NamedResponseValue', '^([0-9]{3})$|^(default)$'), vendorExtension(2)),
  Schema: object(
    field(1, '_ref', 'string', { json: '$ref' }),
    field(2, 'format', 'string'),
    field(3, 'title', 'string'),
    field(4, 'description', 'string'),
    field(5, 'default', 'Any'),
    field(6, 'multiple_of', 'double'),
    field(7, 'maximum', 'double'),
    field(8, 'exclusive_maximum', 'bool'),
    field(9, 'minimum', 'double'),
    field(10, 'exclusive_minimum', 'bool'),
    field(11, 'max_length', 'int64'),
    field(12, 'min_length', 'int64'),
    field(13, 'pattern', 'string'),
    field(14, 'max_items', 'int64'),
    field(15, 'min_items', 'int64'),
    field(16, 'unique_items', 'bool'),
    field(17, 'max_properties', 'int64'),
    field(18, 'min_properties', 'int64'),
    repeated(19, 'required', 'string'),
    repeated(20, 'enum', 'Any'),
    field(21, 'additional_properties', 'AdditionalPropertiesItem'),
    field(22, 'type', 'TypeItem'),
    field(23, 'items', 'ItemsItem'),
    repeated(24, 'all_of', 'Schema'),
    field(25, 'properties', 'Properties'),
    field(26, 'discriminator', 'string'),
    field(27, 'read_only', 'bool'),
    field(28, 'xml', 'Xml'),
    field(29, 'external_docs', 'ExternalDocs'),
    field(30, 'example', 'Any'),
    vendorExtension(31),
  ),
  SchemaItem: oneof(
    alternative(1, 'schema', 'Schema'),
    alternative(2, 'file_schema', 'FileSchema', { equals: { type: 'file' } }),
  ),
  SecurityDefinitions: map('NamedSecurityDefinitionsItem'),
  SecurityDefinitionsItem: oneof(
    alternative(1, 'basic_authentication_security', 'BasicAuthenticationSecurity', { equals: { type: 'basic' } }),
    alternative(2, 'api_key_security', 'ApiKeySecurity', { equals: { type: 'apiKey' } }),
    alternative(3, 'oauth2_implicit_security', 'Oauth2ImplicitSecurity', { equals: { type: 'oauth2', flow: 'implicit' } }),
    alternative(4, 'oauth2_password_security', 'Oauth2PasswordSecurity', { equals: { type: 'oauth2', flow: 'password' } }),
    alternative(5, 'oauth2_application_security', 'Oauth2ApplicationSecurity', { equals: { type: 'oauth2', flow: 'application' } }),
    alternative(6, 'oauth2_access_code_security', 'Oauth2AccessCodeSecurity', { equals: { type: 'oauth2', flow: 'accessCode' } }),
  ),
  SecurityRequirement: map('NamedStringArray'),
  StringArray: list('value', 'string'),
  Tag: object(
    field(1, 'name', 'string'), field(2, 'description', 'string'), field(3, 'external_docs', 'ExternalDocs'),
    vendorExtension(4),
  ),
  TypeItem: list('value', 'string'),
  VendorExtension: map('NamedAny'),
  Xml: object(
    field(1, 'name', 'string'), field(2, 'namespace', 'string'), field(3, 'prefix', 'string'),
    field(4, 'attribute', 'bool'), field(5, 'wrapped', 'bool'), vendorExtension(6),
  ),
};
