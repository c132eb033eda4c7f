import { describe, expect, it } from "vitest";
import {
  cosineSimilarity,
  EMPTY_NEIGHBOURHOOD,
  FEATURE_VERSION,
  MODEL_FEATURE_NAMES,
  modelFeatures,
  propertyFeatures,
  propertyTypeCategory,
  SIMILARITY_DIMENSIONS,
  SIMILARITY_VECTOR_DIMENSION,
} from "../../../src/domain/features/index.ts";
import { SUBJECT, UNKNOWN_PROPERTY } from "../valuation/fixtures/properties.ts";

const norm = (vector: number[]) => Math.sqrt(vector.reduce((sum, v) => sum + v * v, 0));

describe("propertyFeatures (similarity vector)", () => {
  it("is versioned and has the documented fixed dimension", () => {
    expect(FEATURE_VERSION).toBe("pf-1");
    expect(SIMILARITY_VECTOR_DIMENSION).toBe(16);
    expect(SIMILARITY_DIMENSIONS.map((d) => d.name)).toHaveLength(16);
    expect(propertyFeatures(SUBJECT)).toHaveLength(16);
  });

  it("is L2-normalized so cosine similarity is the dot product", () => {
    expect(norm(propertyFeatures(SUBJECT))).toBeCloseTo(1, 12);
    expect(cosineSimilarity(propertyFeatures(SUBJECT), propertyFeatures(SUBJECT))).toBeCloseTo(1, 12);
  });

  it("handles a property with every optional field missing", () => {
    const vector = propertyFeatures(UNKNOWN_PROPERTY);
    expect(vector.every(Number.isFinite)).toBe(true);
    expect(norm(vector)).toBeCloseTo(1, 12);
  });

  it("ranks a near-identical house above a very different one", () => {
    const similar = { ...SUBJECT, sqft: 2100, sqftAbove: 2100, yearBuilt: 1992 };
    const different = {
      ...SUBJECT,
      sqft: 5200,
      sqftAbove: 3600,
      sqftBasement: 1600,
      grade: 11,
      yearBuilt: 1925,
      waterfront: true,
      viewRating: 4,
    };
    const subjectVector = propertyFeatures(SUBJECT);
    expect(cosineSimilarity(subjectVector, propertyFeatures(similar))).toBeGreaterThan(
      cosineSimilarity(subjectVector, propertyFeatures(different)),
    );
  });

  it("clips extreme values so one attribute cannot dominate", () => {
    const extreme = propertyFeatures({ ...SUBJECT, bedrooms: 33 });
    expect(Math.max(...extreme.map(Math.abs))).toBeLessThan(1);
  });
});

describe("propertyTypeCategory", () => {
  it("maps free text to the encoded categories", () => {
    expect(propertyTypeCategory("Condo")).toBe("attached");
    expect(propertyTypeCategory("townhouse")).toBe("attached");
    expect(propertyTypeCategory("single_family")).toBe("single_family");
    expect(propertyTypeCategory(null)).toBe("unknown");
  });
});

describe("modelFeatures", () => {
  const context = {
    asOfDate: "2014-12-15",
    zipEffects: { "98033": 0.25 },
    imputation: MODEL_FEATURE_NAMES.map((_, index) => 1000 + index),
    neighbourhood: EMPTY_NEIGHBOURHOOD,
  };

  it("returns one value per documented model feature", () => {
    const { values, missing } = modelFeatures(SUBJECT, context);
    expect(values).toHaveLength(MODEL_FEATURE_NAMES.length);
    expect(values.every(Number.isFinite)).toBe(true);
    expect(missing).toEqual([]);
    expect(values[MODEL_FEATURE_NAMES.indexOf("zipEffect")]).toBe(0.25);
    expect(values[MODEL_FEATURE_NAMES.indexOf("logSqft")]).toBeCloseTo(Math.log(2000), 12);
  });

  it("imputes unknown attributes from the context and reports them", () => {
    const { values, missing } = modelFeatures({ ...SUBJECT, sqft: null, grade: null, zip: "99999" }, context);
    expect(missing).toEqual(expect.arrayContaining(["sqft", "grade", "zip"]));
    const gradeIndex = MODEL_FEATURE_NAMES.indexOf("grade");
    expect(values[gradeIndex]).toBe(1000 + gradeIndex);
  });

  it("lists every attribute of an empty record as missing, with finite values", () => {
    const { values, missing } = modelFeatures(UNKNOWN_PROPERTY, context);
    expect(values.every(Number.isFinite)).toBe(true);
    expect(missing).toEqual(expect.arrayContaining(["location", "sqft", "bedrooms", "yearBuilt", "zip"]));
  });

  it("computes the age since the last update at the valuation date", () => {
    const index = MODEL_FEATURE_NAMES.indexOf("yearsSinceUpdate");
    const built = modelFeatures(SUBJECT, context).values[index] ?? 0;
    const renovated = modelFeatures({ ...SUBJECT, yearRenovated: 2010 }, context).values[index] ?? 0;
    expect(built).toBeCloseTo(2014.958 - 1990, 2);
    expect(renovated).toBeCloseTo(2014.958 - 2010, 2);
  });
});
