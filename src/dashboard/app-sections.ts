import { backupsSection } from "./sections/backups.js";
import { certificatesSection } from "./sections/certificates.js";
import { deliverySection } from "./sections/delivery.js";
import { incidentsSection } from "./sections/incidents.js";
import { monitorsSection } from "./sections/monitors.js";
import { nowSection } from "./sections/now.js";
import { timelineSection } from "./sections/timeline.js";
import type { AppSection } from "./sections.js";

/**
 * The panels of an app's page, top to bottom. A new part of Skiff shows itself here with one line
 * (backups, certificates, storage, process types: docs/dashboard.md says how).
 */
export const APP_SECTIONS: Array<AppSection<unknown>> = [
  nowSection,
  timelineSection,
  monitorsSection,
  incidentsSection,
  backupsSection,
  certificatesSection,
  deliverySection,
];
