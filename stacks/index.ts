/** The medallion-lake Pulumi program: one lake per stack, from `Pulumi.<stack>.yaml`. */
import { createLake } from "./program";
import { PROJECT_ROOT } from "./stack-config";

// Pulumi.<stack>.yaml is in the project folder (beside Pulumi.yaml): its relative paths start there.
export = createLake({ baseDir: PROJECT_ROOT }).outputs();
