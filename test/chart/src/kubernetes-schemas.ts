import Ajv from "ajv";
import * as apps from "kubernetes-models/apps/v1";
import * as autoscaling from "kubernetes-models/autoscaling/v2";
import * as batch from "kubernetes-models/batch/v1";
import * as core from "kubernetes-models/v1";
import * as networking from "kubernetes-models/networking.k8s.io/v1";
import * as policy from "kubernetes-models/policy/v1";
import * as keda from "@kubernetes-models/keda/keda.sh/v1alpha1";
import * as monitoring from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
import kafkaTopicSchema from "./kafkatopic.schema.json";
import type { Manifest } from "./helm";

type Validate = (manifest: Manifest) => void;

/** Wraps a kubernetes-models class: its validate() throws with the schema violations. */
function model(Model: new (data: never) => { validate(): void }): Validate {
  // The rendered object is what is being checked, so it goes in untyped.
  return (manifest) => new Model(manifest as never).validate();
}

const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
const kafkaTopic = ajv.compile(kafkaTopicSchema);

/**
 * Every kind the chart may render, by apiVersion and kind, with the OpenAPI schema it must meet:
 * Kubernetes' own (kubernetes-models), KEDA's and the Prometheus Operator's CRDs
 * (@kubernetes-models), and Strimzi's KafkaTopic (src/kafkatopic.schema.json).
 */
const validators: Record<string, Validate> = {
  "apps/v1/Deployment": model(apps.Deployment),
  "autoscaling/v2/HorizontalPodAutoscaler": model(autoscaling.HorizontalPodAutoscaler),
  "batch/v1/Job": model(batch.Job),
  "v1/ConfigMap": model(core.ConfigMap),
  "v1/Pod": model(core.Pod),
  "v1/Secret": model(core.Secret),
  "v1/Service": model(core.Service),
  "v1/ServiceAccount": model(core.ServiceAccount),
  "networking.k8s.io/v1/NetworkPolicy": model(networking.NetworkPolicy),
  "policy/v1/PodDisruptionBudget": model(policy.PodDisruptionBudget),
  "keda.sh/v1alpha1/ScaledObject": model(keda.ScaledObject),
  "monitoring.coreos.com/v1/ServiceMonitor": model(monitoring.ServiceMonitor),
  "monitoring.coreos.com/v1/PrometheusRule": model(monitoring.PrometheusRule),
  "kafka.strimzi.io/v1beta2/KafkaTopic": validateKafkaTopic,
  "kafka.strimzi.io/v1/KafkaTopic": validateKafkaTopic,
};

function validateKafkaTopic(manifest: Manifest): void {
  if (!kafkaTopic(manifest)) throw new Error(ajv.errorsText(kafkaTopic.errors));
}

/** The schema problem of one object, or undefined when it is valid. Unknown kinds are problems too. */
export function schemaProblem(manifest: Manifest): string | undefined {
  const key = `${manifest.apiVersion}/${manifest.kind}`;
  const validate = validators[key];
  if (!validate) return `${key} ${manifest.metadata?.name}: no schema known for this kind`;
  try {
    validate(manifest);
    return undefined;
  } catch (error) {
    return `${key} ${manifest.metadata.name}: ${error instanceof Error ? error.message : String(error)}`;
  }
}
