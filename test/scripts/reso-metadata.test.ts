// The RESO $metadata document against the OASIS CSDL XML schemas (edmx.xsd + edm.xsd, shipped by the OData
// TC's odata-csdl package) with libxml2's validator (xmllint-wasm), and read back into CSDL JSON with the TC's
// own converter to check what the schemas cannot: every EntityType has a Key, names and types are the Data
// Dictionary's, lookups carry RESO.OData.Metadata.LookupName, custom fields cannot collide.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { validateXML } from "xmllint-wasm";
import { PROPERTY_FIELDS } from "../../src/domain/reso/fields.ts";
import { LOOKUPS } from "../../src/domain/reso/lookups.ts";
import { metadataDocument } from "../../src/domain/reso/metadata.ts";

const require = createRequire(import.meta.url);
const { xml2json } = require("odata-csdl/lib/xml2json.js") as {
  xml2json(xml: string, options?: { strict?: boolean; messages?: unknown[] }): Record<string, unknown>;
};

async function schema(name: string) {
  return { fileName: name, contents: await readFile(require.resolve(`odata-csdl/schemas/${name}`), "utf8") };
}

// biome-ignore lint/suspicious/noExplicitAny: CSDL JSON as the converter answers it
type Csdl = Record<string, any>;

describe("RESO $metadata", () => {
  it("is valid against the OASIS EDMX and EDM XML schemas", async () => {
    const [edmx, edm] = await Promise.all([schema("edmx.xsd"), schema("edm.xsd")]);
    const result = await validateXML({
      xml: [{ fileName: "metadata.xml", contents: metadataDocument() }],
      schema: [edmx],
      preload: [edm],
    });
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("the validator does refuse a document that breaks the schema", async () => {
    const [edmx, edm] = await Promise.all([schema("edmx.xsd"), schema("edm.xsd")]);
    const broken = metadataDocument().replace('<Key><PropertyRef Name="ListingKey"/></Key>', "<Key></Key>");
    const result = await validateXML({
      xml: [{ fileName: "metadata.xml", contents: broken }],
      schema: [edmx],
      preload: [edm],
    });
    expect(result.valid).toBe(false);
  });

  it("declares every EntityType with a Key, DD 2.0 names and types, and lookups by annotation", () => {
    const messages: unknown[] = [];
    const csdl: Csdl = xml2json(metadataDocument(), { strict: true, messages });
    expect(messages).toEqual([]);
    const schemaJson: Csdl = csdl["org.reso.metadata"];
    const entityTypes = Object.entries(schemaJson).filter(([, value]) => value?.$Kind === "EntityType");
    expect(entityTypes.map(([name]) => name).sort()).toEqual(["Lookup", "Property"]);
    for (const [, type] of entityTypes) expect(type.$Key?.length).toBeGreaterThan(0);

    const property: Csdl = schemaJson.Property;
    expect(property.$Key).toEqual(["ListingKey"]);
    const expected: Record<string, string> = {
      ListPrice: "Edm.Decimal",
      ClosePrice: "Edm.Decimal",
      CloseDate: "Edm.Date",
      ModificationTimestamp: "Edm.DateTimeOffset",
      OriginalEntryTimestamp: "Edm.DateTimeOffset",
      BedroomsTotal: "Edm.Int64",
      BathroomsTotalInteger: "Edm.Int64",
      LivingArea: "Edm.Decimal",
      LotSizeSquareFeet: "Edm.Decimal",
      YearBuilt: "Edm.Int64",
      Latitude: "Edm.Decimal",
      Longitude: "Edm.Decimal",
    };
    for (const [name, type] of Object.entries(expected)) expect(property[name]?.$Type, name).toBe(type);
    for (const name of [
      "ListingKey",
      "StandardStatus",
      "PropertyType",
      "UnparsedAddress",
      "StreetNumber",
      "StreetDirPrefix",
      "StreetName",
      "StreetSuffix",
      "StreetDirSuffix",
      "UnitNumber",
      "City",
      "StateOrProvince",
      "PostalCode",
      "CountyOrParish",
    ]) {
      expect(property[name], name).toBeDefined();
      // Edm.String is CSDL JSON's default type, so it is left out.
      expect(property[name].$Type, name).toBeUndefined();
    }
    for (const lookup of Object.keys(LOOKUPS)) {
      const field = PROPERTY_FIELDS.find((candidate) => candidate.lookup === lookup);
      expect(property[field?.name as string]["@RESO.OData.Metadata.LookupName"], lookup).toBe(lookup);
    }
    // Data Dictionary names are letters and digits: a custom name has the REOS_ prefix and an underscore.
    for (const name of Object.keys(property).filter((key) => !key.startsWith("$") && !key.startsWith("@"))) {
      expect(name, name).toMatch(/^(?:[A-Z][A-Za-z0-9]*|REOS_[A-Z][A-Za-z0-9]*)$/);
    }
    expect(schemaJson.Default.Property.$Type).toBe("org.reso.metadata.Property");
    expect(schemaJson.Default.Lookup.$Type).toBe("org.reso.metadata.Lookup");
    expect(schemaJson.Lookup.$Key).toEqual(["LookupKey"]);
  });
});
