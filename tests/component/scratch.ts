import { runUnderMocks, loadStackConfig } from "../../stacks/mock-run";
import { createLake } from "../../stacks/program";
async function main() {
  const { config, secretKeys } = loadStackConfig("dev");
  config["medallion-lake:ecommDbPassword"] = "hunter2-ecomm";
  const t = Date.now();
  const r = await runUnderMocks({ stack: "dev", config, secretKeys: [...secretKeys, "medallion-lake:ecommDbPassword"], program: () => createLake().outputs() });
  console.log(Date.now() - t, "ms", r.resources.length);
  const counts: Record<string, number> = {};
  for (const x of r.resources) counts[x.type] = (counts[x.type] ?? 0) + 1;
  console.log(counts);
  console.log(JSON.stringify(r.outputs, null, 1).slice(0, 3000));
  const job = r.resources.find(x => x.type === "aws:glue/job:Job" && x.name.includes("bronze"));
  console.log(JSON.stringify(job, null, 1));
  console.log(JSON.stringify(r.resources.filter(x => x.type.includes("secret") || x.type.includes("Connection")), null, 1));
}
main().catch(e => { console.error("ERR", e); process.exit(1); });
