import { z } from "@hono/zod-openapi";
import { ROLES } from "../../auth/roles.ts";
import { MAX_PAGE_SIZE } from "../../services/users.ts";

export const UserSchema = z
  .object({
    id: z.string().uuid(),
    subject: z.string(),
    email: z.string().nullable(),
    name: z.string().nullable(),
    roles: z.array(z.string()),
    status: z.enum(["active", "disabled"]),
    createdAt: z.string(),
    lastSeenAt: z.string(),
  })
  .openapi("User");

export const CurrentUserSchema = z
  .object({
    id: z.string().uuid(),
    subject: z.string(),
    email: z.string().nullable(),
    roles: z.array(z.enum(ROLES)),
    tenant: z.object({ id: z.string().uuid(), slug: z.string() }),
  })
  .openapi("CurrentUser");

export const UserPageSchema = z
  .object({ items: z.array(UserSchema), nextCursor: z.string().uuid().nullable() })
  .openapi("UserPage");

export const ListUsersQuerySchema = z
  .object({
    limit: z
      .string()
      .regex(/^[0-9]{1,3}$/, "an integer from 1 to 100")
      .transform(Number)
      .pipe(z.number().int().min(1).max(MAX_PAGE_SIZE))
      .optional()
      .openapi({ param: { name: "limit", in: "query" }, example: "50" }),
    cursor: z
      .string()
      .uuid("not a cursor this API issued")
      .optional()
      .openapi({ param: { name: "cursor", in: "query" } }),
  })
  .strict();
