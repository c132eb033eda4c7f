// Test doubles for the pipeline: a capturing ENRICHMENT queue (so nothing reaches the real local queue, whose
// consumer would run on its own), fake ZIP/hazard lookups, and drivers for the queue and cron handlers.
import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  type QueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import {
  type EnrichmentChunk,
  type EnrichmentMessage,
  enrichmentChunkSchema,
  recordsOfChunk,
} from "../../queues/enrichment/message.ts";
import { createApp } from "../../src/app.ts";
import type {
  CountyHazards,
  HazardLookup,
  LocationLookup,
  ZipLocation,
} from "../../src/domain/pipeline/contracts.ts";
import { csvParser, qualityEvaluator } from "../../src/domain/pipeline/pure-parts.ts";
import type { PipelineDependencies } from "../../src/services/pipeline-dependencies.ts";
import { testEnv } from "./env.ts";

/**
 * A capturing ENRICHMENT queue. The producer sends chunk messages (version 2); `chunks` keeps them as sent (with
 * each send's delay), and `messages` has each chunk's records as per-record (version 1) messages, which the
 * consumer also takes, so a test can deliver records singly or in any grouping.
 */
export interface CapturingQueue extends Queue {
  messages: EnrichmentMessage[];
  chunks: { body: EnrichmentChunk; delaySeconds?: number }[];
  /** Makes the next `n` sendBatch calls fail, as a queue outage would. */
  failNext(n: number): void;
  take(): EnrichmentMessage[];
}

export function capturingQueue(): CapturingQueue {
  let failures = 0;
  const queue = {
    messages: [] as EnrichmentMessage[],
    chunks: [] as { body: EnrichmentChunk; delaySeconds?: number }[],
    failNext(n: number) {
      failures = n;
    },
    take() {
      queue.chunks.splice(0, queue.chunks.length);
      return queue.messages.splice(0, queue.messages.length);
    },
    async send(body: unknown) {
      queue.messages.push(body as EnrichmentMessage);
    },
    async sendBatch(messages: Iterable<MessageSendRequest>, options?: QueueSendBatchOptions) {
      if (failures > 0) {
        failures--;
        throw new Error("Queue send failed (simulated)");
      }
      for (const message of messages) {
        const chunk = enrichmentChunkSchema.safeParse(message.body);
        if (!chunk.success) {
          queue.messages.push(message.body as EnrichmentMessage);
          continue;
        }
        queue.chunks.push({ body: chunk.data, delaySeconds: options?.delaySeconds });
        queue.messages.push(...recordsOfChunk(chunk.data));
      }
    },
    async metrics() {
      return { backlogCount: 0, backlogBytes: 0 };
    },
  };
  return queue as unknown as CapturingQueue;
}

export function pipelineEnv(queue: Queue, overrides: Partial<Record<string, unknown>> = {}): Env {
  return { ...testEnv, ENRICHMENT: queue, ...overrides } as Env;
}

export const KNOWN_ZIPS: Record<string, ZipLocation> = {
  "98101": {
    zip: "98101",
    city: "SEATTLE",
    state: "WA",
    countyFips: "53033",
    countyName: "King",
    latitude: 47.6114,
    longitude: -122.3305,
  },
  "98052": {
    zip: "98052",
    city: "REDMOND",
    state: "WA",
    countyFips: "53033",
    countyName: "King",
    latitude: 47.6694,
    longitude: -122.1239,
  },
};

export const KING_COUNTY_HAZARDS: CountyHazards = {
  countyFips: "53033",
  riskScore: 99.4,
  riskRating: "Very High",
  hazardScores: { earthquake: 99.9, landslide: 98.1 },
  dataVersion: "nri-test",
};

export function fakeLookups(): LocationLookup & HazardLookup & { calls: number } {
  const lookups = {
    calls: 0,
    async locateZip(zip5: string) {
      lookups.calls++;
      return KNOWN_ZIPS[zip5] ?? null;
    },
    async countyHazards(countyFips: string) {
      lookups.calls++;
      return countyFips === "53033" ? KING_COUNTY_HAZARDS : null;
    },
  };
  return lookups;
}

export function testDeps(overrides: Partial<PipelineDependencies> = {}): PipelineDependencies {
  const lookups = fakeLookups();
  return {
    csv: csvParser,
    quality: qualityEvaluator,
    lookups: () => lookups,
    fetcher: async () => new Response("no network in tests", { status: 599 }),
    ...overrides,
  };
}

let messageCounter = 0;

/** Runs `handler` on a batch built from `bodies`, as Queues would deliver it, and answers the ack/retry result. */
export async function deliver(
  queueName: string,
  bodies: unknown[],
  handler: (batch: MessageBatch, ctx: ExecutionContext) => Promise<void>,
  attempts = 1,
): Promise<QueueResult & { ids: string[]; delays: Record<string, number | undefined> }> {
  const ids = bodies.map(() => `msg-${++messageCounter}`);
  const batch = createMessageBatch(
    queueName,
    bodies.map((body, index) => ({ id: ids[index] ?? "", timestamp: Date.now(), attempts, body })),
  );
  // The pool's QueueResult does not report retry delays; they are read off the calls themselves.
  const delays: Record<string, number | undefined> = {};
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    Object.defineProperty(message, "retry", {
      value: (options?: QueueRetryOptions) => {
        delays[message.id] = options?.delaySeconds;
        retry(options);
      },
    });
  }
  const ctx = createExecutionContext();
  await handler(batch, ctx);
  return { ...(await getQueueResult(batch, ctx)), ids, delays };
}

/** Calls the API in-process with the given env (so intake's after-response send reaches the capturing queue). */
export async function callApi(env: Env, path: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await createApp().fetch(new Request(`http://api.test${path}`, init), env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

export function prospect(index: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    externalRef: `EXT-${index}`,
    address: `${100 + index} Pike St`,
    city: "Seattle",
    state: "WA",
    zip: index % 2 === 0 ? "98101" : "98052",
    price: 500_000 + index,
    bedrooms: 3,
    bathrooms: 2.5,
    sqft: 1800,
    yearBuilt: 1990,
    propertyType: "single_family",
    ...overrides,
  };
}
