/**
 * Where Cloud Tasks runs, so a region typo (`eu-west1`, `europe-west99`) fails synth instead of the deploy.
 *
 * Source: Google Cloud, "Cloud Tasks locations" (https://cloud.google.com/tasks/docs/locations), read 2026-12-01
 * (the Americas table checked row by row; the other continents as that page lists them, cross-checked with the
 * Cloud Run locations page). Google adds regions: a region newer than this list is allowed with
 * `"allowUnlistedRegion": true` (cdktf.json context.pipeline, or per environment). Update the list and the date
 * together.
 */
export const CLOUD_TASKS_LOCATIONS_AS_OF = '2026-12-01';

/** The Cloud Tasks locations as of {@link CLOUD_TASKS_LOCATIONS_AS_OF} (see the source above). */
export const CLOUD_TASKS_LOCATIONS: readonly string[] = [
  // Americas
  'northamerica-northeast1',
  'northamerica-northeast2',
  'southamerica-east1',
  'southamerica-west1',
  'us-central1',
  'us-east1',
  'us-east4',
  'us-east5',
  'us-south1',
  'us-west1',
  'us-west2',
  'us-west3',
  'us-west4',
  // Europe
  'europe-central2',
  'europe-north1',
  'europe-southwest1',
  'europe-west1',
  'europe-west2',
  'europe-west3',
  'europe-west4',
  'europe-west6',
  'europe-west8',
  'europe-west9',
  'europe-west10',
  'europe-west12',
  // Asia Pacific
  'asia-east1',
  'asia-east2',
  'asia-northeast1',
  'asia-northeast2',
  'asia-northeast3',
  'asia-south1',
  'asia-south2',
  'asia-southeast1',
  'asia-southeast2',
  'australia-southeast1',
  'australia-southeast2',
  // Middle East
  'me-central1',
  'me-central2',
  'me-west1',
  // Africa
  'africa-south1',
];

/** True when Cloud Tasks is known to run in `region` (as of {@link CLOUD_TASKS_LOCATIONS_AS_OF}). */
export function isCloudTasksLocation(region: string): boolean {
  return CLOUD_TASKS_LOCATIONS.includes(region);
}
