/** A log line as fal's history and stream send it. */
export interface FalLogLine {
  timestamp: string;
  level: string;
  message: string;
  app: string;
  revision: string;
  labels: Record<string, string>;
}

/** A line to append: missing fields get defaults, given ones are stored verbatim. */
export type FalLogLineInput = Partial<FalLogLine> & {
  /** Shown as the `traceback` label when a client asks for tracebacks. */
  traceback?: string;
};

/** A request item as by-endpoint sends it without expansions. */
export interface FalRequestItem {
  request_id: string;
  endpoint_id: string;
  runner_id: string | null;
  sent_at: string;
  started_at: string;
  ended_at: string | null;
  status_code: number | null;
  duration: number | null;
}

/** A stored request with everything the expansions can add. */
export interface FalRequestRecord extends FalRequestItem {
  json_input: unknown;
  json_output: unknown;
  billable_units: number | null;
}

export interface FalApp {
  /** '<owner>/<name>' */
  id: string;
  owner: string;
  name: string;
  /** Route paths, '/' first. */
  routes: string[];
  /** Endpoint ids, one per route: '<owner>/<name>' for '/', '<owner>/<name>/<route>' otherwise. */
  endpoints: string[];
  /** Revision ids, oldest first. */
  revisions: string[];
  /** The environment it is deployed in; the apps list reads 'main' by default. */
  environment: string;
  /** When its newest revision was deployed, ISO-8601 UTC. */
  updatedAt: string;
  settings: FalAppSettings;
}

/** An app's deployment settings, named as the apps list sends them. */
export interface FalAppSettings {
  machine_type: string;
  auth_mode: 'private' | 'public' | 'shared';
  keep_alive: number;
  min_concurrency: number;
  max_concurrency: number;
  request_timeout: number;
  startup_timeout: number;
  valid_regions: string[];
}
