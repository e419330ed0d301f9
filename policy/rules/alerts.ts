import { isProductionStack, ResourceRule, StackRule } from "../resource";

const TOPIC = "aws:sns/topic:Topic";
const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";

export const snsTopicEncryption: ResourceRule = {
    kind: "resource",
    name: "sns-topic-encryption",
    description: "SNS topics are encrypted with a customer KMS key (kmsMasterKeyId), since alerts name tables, jobs and errors; the AWS managed alias/aws/sns key cannot be granted to EventBridge or CloudWatch alarms.",
    level: "mandatory",
    types: [TOPIC],
    check(r) {
        const key = r.props.kmsMasterKeyId;
        if (!key) return ["no kmsMasterKeyId: the topic is not encrypted"];
        return key === "alias/aws/sns" ? ["encrypted with alias/aws/sns, which EventBridge and CloudWatch alarms cannot use; use the lake's key"] : [];
    },
};

export const prodAlertSubscription: StackRule = {
    kind: "stack",
    name: "prod-alert-subscription",
    description: "In production stacks every alert topic has at least one subscription, so a failed run or a breached alarm reaches someone.",
    level: "mandatory",
    check(resources, stack) {
        if (!isProductionStack(stack)) return [];
        const topics = resources.filter((r) => r.type === TOPIC);
        // A subscription names its topic by ARN (arn:...:sns:<region>:<account>:<name>); during a
        // preview the ARN is unknown and the property dependency tells instead.
        const subscribed = (topic: (typeof topics)[number]) =>
            resources.some(
                (s) =>
                    s.type === SUBSCRIPTION &&
                    ((s.propertyDependencies.topic ?? []).includes(topic.urn) || (typeof s.props.topic === "string" && topic.props.name !== undefined && s.props.topic.endsWith(`:${topic.props.name}`))),
            );
        return topics.filter((t) => !subscribed(t)).map((t) => ({ urn: t.urn, message: `alert topic ${t.name} has no subscription in production stack "${stack}": add alerts.subscriptions` }));
    },
};

export const alertRules = [snsTopicEncryption, prodAlertSubscription];
