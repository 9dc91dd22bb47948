// Public API of the operator package: the resource's types, the planner, and the config rendering
// and comparison the controller and tests use. The CRD is crd/aerolitecluster.yaml.
export type * from './types.ts'
export { plan } from './planner.ts'
export { RECLUSTER_RETRY_MS } from './steps/disruption.ts'
export { renderConfig, renderRackConfig, type RenderInput, type RenderedConfig } from './render-config.ts'
export { compareConfigs, configHash, dynamicSettings, isDynamic, setConfigCommand, settingsToApply, type ConfigChange, type DynamicSetting } from './config-change.ts'
export { parseRenderedConfig } from './server-config.ts'
export { desiredRacks, type DesiredRack } from './racks.ts'
export { validateSpec, type SpecProblem } from './validate.ts'
export { parseQuantityBytes } from './quantity.ts'
export { CONFIG_DIRECTORY, CONFIG_FILE_NAME, CONFIG_HASH_ANNOTATION, DEFAULT_PORTS, RACK_LABEL, TEMPLATE_HASH_ANNOTATION, clusterLabels, configMapName, headlessServiceName, rackLabels, statefulSetName } from './names.ts'
export { Controller, defaultNodeAddress, type ControllerOptions } from './controller/controller.ts'
export type { InfoClient, NodeAddress } from './controller/node-info.ts'
