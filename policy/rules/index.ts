import { Rule } from "../resource";
import { alertRules } from "./alerts";
import { athenaRules } from "./athena";
import { glueRules } from "./glue";
import { iamRules } from "./iam";
import { lakeFormationRules } from "./lake-formation";
import { productionRules } from "./production";
import { s3Rules } from "./s3";

/** Every rule of the pack, in the order they are reported. */
export const rules: readonly Rule[] = [...s3Rules, ...iamRules, ...glueRules, ...athenaRules, ...alertRules, ...productionRules, ...lakeFormationRules];
