// The comps index's HNSW insert cost on PGlite as the index grows: 100-row inserts of random 16-d vectors into a
// table indexed as property_embeddings is (migrations/0005: hnsw over embedding::vector(16), cosine, pgvector's
// default m 16 and ef_construction 64), with cheaper build parameters, and without the index. PGlite only: the
// real PostgreSQL 15 here has no pgvector, so 0005 creates no HNSW index there.
//
//   node bench/hnsw-cost.ts [rows=10000]       # mean ms per 100-row insert around each table size
import { openPglite } from "../scripts/platform/database.ts";

const TOTAL = Number(process.argv[2] ?? 10_000);
const db = await openPglite();
const VARIANTS: Record<string, string> = {
  hnsw: "",
  m16ef32: "with (m = 16, ef_construction = 32)",
  m8ef16: "with (m = 8, ef_construction = 16)",
  none: "none",
};
const out: Record<string, number[]> = Object.fromEntries(Object.keys(VARIANTS).map((v) => [v, []]));
for (const variant of Object.keys(VARIANTS)) {
  await db.asOwner(async (s) => {
    await s.exec(`create table e_${variant} (id int primary key, embedding real[] not null)`);
    if (VARIANTS[variant] !== "none")
      await s.exec(
        `create index on e_${variant} using hnsw ((embedding::vector(16)) vector_cosine_ops) ${VARIANTS[variant]}`,
      );
  });
  for (let start = 0; start < TOTAL; start += 100) {
    const t = performance.now();
    await db.asOwner((s) =>
      s.exec(`insert into e_${variant} select g, array(select random()::real from generate_series(1, 16) where g >= 0)
        from generate_series(${start}, ${start + 99}) g`),
    );
    out[variant]?.push(performance.now() - t);
  }
}
const at = (xs: number[], i: number) =>
  Math.round(xs.slice(Math.max(0, i - 5), i + 5).reduce((a, b) => a + b, 0) / Math.min(10, xs.length));
const rows = [];
for (const size of [0, 1000, 5000, 10000, 20000, 50000, 100000].filter((s) => s < TOTAL)) {
  const i = size / 100;
  rows.push({ tableSize: size, ...Object.fromEntries(Object.entries(out).map(([v, xs]) => [v, at(xs, i)])) });
}
console.log(JSON.stringify(rows));
await db.close();
