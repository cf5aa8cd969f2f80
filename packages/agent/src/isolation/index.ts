/** The containerizer and its isolators (issue 8): what a container may use, and its end. */
export * from './isolator.js';
export { Containerizer, containerLaunch, mergePlans, type ContainerizerOptions } from './containerizer.js';
export { containerCgroup, detectHostCapabilities, parseCgroupMounts, parseProcCgroup, type CgroupController, type CgroupHierarchy, type HostCapabilities } from './host-capabilities.js';
export { buildContainerizer, defaultIsolation, DEFAULT_CGROUPS_ROOT, isolatorNames, parseIsolation, POSIX_ISOLATION, registerIsolator, type IsolationOptions, type IsolationView } from './registry.js';
export { CgroupsCpuIsolator, cpuControls, CFS_PERIOD_US, CPU_SHARES_PER_CPU, MIN_CFS_QUOTA_US, MIN_CPU_SHARES } from './cgroups-cpu.js';
export { CgroupsMemIsolator, memoryLimitBytes, MIN_MEMORY_BYTES } from './cgroups-mem.js';
export { CgroupsPidsIsolator, DEFAULT_PIDS_LIMIT } from './cgroups-pids.js';
export { defaultRlimits, rlimitsProblem } from './posix-isolators.js';
export { cgroupProcs, freezeAndKill, readControl, readKeyed, type Pause } from './cgroups.js';
export { DEFAULT_CONTAINER_DISK_WATCH_INTERVAL_MS, DiskDuIsolator, diskLimitBytes, type DiskDuOptions } from './disk-du.js';
export { duMeasure, parseDuOutput, type DiskMeasure } from './du.js';
export { DEFAULT_CONTAINER_PORTS_WATCH_INTERVAL_MS, NetworkPortsIsolator, type NetworkPortsOptions } from './network-ports.js';
export { listeningPorts, listeningSockets, parseListeningSockets, processSocketInodes, socketInode } from './listening-sockets.js';
export { ContainerProcesses, type ContainerPlace } from './container-processes.js';
export { sandboxMembers, scanProcesses, type ScannedProcess } from './proc-processes.js';
