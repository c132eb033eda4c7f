// The $metadata document (OData CSDL XML, EDMX 4.0) and the service document, both from fields.ts: what they
// declare is exactly what the payloads hold. Entity types live in the namespace RESO's reference metadata uses
// (org.reso.metadata); the LookupName term is declared in its own RESO.OData.Metadata schema so the document
// stands alone against the OASIS EDMX/EDM schemas.
import { type FieldDefinition, LOOKUP_FIELDS, LOOKUP_KEY, PROPERTY_FIELDS, PROPERTY_KEY } from "./fields.ts";

export const RESO_NAMESPACE = "org.reso.metadata";
export const ENTITY_SETS = ["Property", "Lookup"] as const;
export type EntitySetName = (typeof ENTITY_SETS)[number];

function escapeXml(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

function propertyElement(field: FieldDefinition): string {
  const facets = [
    `Name="${field.name}"`,
    `Type="${field.type}"`,
    field.maxLength !== undefined ? `MaxLength="${field.maxLength}"` : "",
    field.precision !== undefined ? `Precision="${field.precision}"` : "",
    field.scale !== undefined ? `Scale="${field.scale}"` : "",
  ]
    .filter(Boolean)
    .join(" ");
  const annotations = [
    field.lookup ? `<Annotation Term="RESO.OData.Metadata.LookupName" String="${field.lookup}"/>` : "",
    field.description ? `<Annotation Term="Core.Description" String="${escapeXml(field.description)}"/>` : "",
  ].filter(Boolean);
  if (annotations.length === 0) return `        <Property ${facets}/>`;
  return [
    `        <Property ${facets}>`,
    ...annotations.map((annotation) => `          ${annotation}`),
    "        </Property>",
  ].join("\n");
}

function entityType(name: string, key: string, fields: readonly FieldDefinition[]): string {
  return [
    `      <EntityType Name="${name}">`,
    `        <Key><PropertyRef Name="${key}"/></Key>`,
    ...fields.map(propertyElement),
    "      </EntityType>",
  ].join("\n");
}

/** The EDMX document served at /reso/odata/$metadata. */
export function metadataDocument(): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0">',
    '  <edmx:Reference Uri="https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Core.V1.xml">',
    '    <edmx:Include Namespace="Org.OData.Core.V1" Alias="Core"/>',
    "  </edmx:Reference>",
    "  <edmx:DataServices>",
    '    <Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="RESO.OData.Metadata">',
    '      <Term Name="LookupName" Type="Edm.String"/>',
    "    </Schema>",
    `    <Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="${RESO_NAMESPACE}">`,
    entityType("Property", PROPERTY_KEY, PROPERTY_FIELDS),
    entityType("Lookup", LOOKUP_KEY, LOOKUP_FIELDS),
    '      <EntityContainer Name="Default">',
    ...ENTITY_SETS.map(
      (name) => `        <EntitySet Name="${name}" EntityType="${RESO_NAMESPACE}.${name}"/>`,
    ),
    "      </EntityContainer>",
    "    </Schema>",
    "  </edmx:DataServices>",
    "</edmx:Edmx>",
    "",
  ].join("\n");
}

/** The service document at the service root: the entity sets, relative to it. */
export function serviceDocument(serviceRoot: string) {
  return {
    "@odata.context": `${serviceRoot}/$metadata`,
    value: ENTITY_SETS.map((name) => ({ name, kind: "EntitySet", url: name })),
  };
}
