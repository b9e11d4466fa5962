import { PRODUCTION } from "../../environments/names.js";
import type { DoraReport } from "../../metrics/dora.js";
import { delivery } from "../data/delivery.js";
import { defineSection } from "../sections.js";
import { DoraCards } from "../views/dora.js";

/** The app's DORA keys over the last 30 days; the charts are on its delivery page. */
export const deliverySection = defineSection<DoraReport>({
  id: "delivery",
  title: "Delivery, last 30 days",
  load: (ctx) => (ctx.env === PRODUCTION ? delivery(ctx.deps, ctx.app, 30, ctx.now).report : undefined),
  View: ({ data, ctx }) => (
    <>
      <DoraCards report={data} />
      <p>
        <a href={`/dashboard/metrics?app=${ctx.app}`}>Charts over 7, 30 and 90 days →</a>
      </p>
    </>
  ),
});
