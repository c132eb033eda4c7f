import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-types.ts";
import { registerCreateProperty } from "./create-property.ts";
import { registerDeleteProperty } from "./delete-property.ts";
import { registerGetProperty } from "./get-property.ts";
import { registerListProperties } from "./list-properties.ts";
import { registerListPropertyChanges } from "./list-property-changes.ts";
import { registerPatchProperty } from "./patch-property.ts";
import { registerReplaceProperty } from "./replace-property.ts";

export function propertiesRouter() {
  const router = new OpenAPIHono<AppEnv>();
  router.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "An access token from the identity provider; its tenant_id claim selects the tenant.",
  });
  // /changes before /{id}, which would otherwise claim it (and answer 400 for a non-UUID id).
  registerListPropertyChanges(router);
  registerListProperties(router);
  registerCreateProperty(router);
  registerGetProperty(router);
  registerReplaceProperty(router);
  registerPatchProperty(router);
  registerDeleteProperty(router);
  return router;
}
