/** The medallion-lake Pulumi program: one lake per stack, from `Pulumi.<stack>.yaml`. */
import { createLake } from "./program";

export = createLake().outputs();
