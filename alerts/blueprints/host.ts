// Hosts through node_exporter (per instance), and EC2 through CloudWatch.
import { Blueprint, FixtureSeries, ServiceContext, fixtureLabels, sel } from "../blueprint";
import { metricAlarm } from "./shared";

const INSTANCE = 'instance="host-1:9100"';
const series = (ctx: ServiceContext, key: string, extra: string, values: string): FixtureSeries => ({
  series: `${ctx.metric(key)}{${fixtureLabels(ctx, [INSTANCE, extra].filter(Boolean).join(","))}}`,
  values,
});
const FS = 'fstype!~"tmpfs|overlay|squashfs|ramfs",mountpoint!~"/(run|boot|var/lib/docker)($|/).*"';
const instances = (ctx: ServiceContext) => Object.fromEntries(ctx.cloudwatch.ec2!.instance_ids.map((id) => [id, { InstanceId: id }]));

export const host: Blueprint = {
  kind: "host",
  metrics: {
    up: "up",
    cpu_seconds: "node_cpu_seconds_total",
    mem_available: "node_memory_MemAvailable_bytes",
    mem_total: "node_memory_MemTotal_bytes",
    fs_avail: "node_filesystem_avail_bytes",
    fs_size: "node_filesystem_size_bytes",
    load5: "node_load5",
    disk_io_time: "node_disk_io_time_seconds_total",
  },
  recordings: [],
  rules: [
    {
      id: "HostDown",
      value: (ctx) => `min by (instance) (${sel(ctx, "up")})`,
      comparison: "<",
      unit: "count",
      thresholds: { critical: 1 },
      for: "2m",
      summary: "Host {{ $labels.instance }} is down",
      description: "node_exporter on {{ $labels.instance }} ({{ $labels.service }}) cannot be scraped.",
      fixtures: { bad: (ctx) => [series(ctx, "up", "", "0x60")], good: (ctx) => [series(ctx, "up", "", "1x60")] },
    },
    {
      id: "HostHighCpuUsage",
      value: (ctx) => `1 - avg by (instance) (rate(${sel(ctx, "cpu_seconds", 'mode="idle"')}[5m]))`,
      comparison: ">",
      unit: "ratio",
      thresholds: { warning: 0.8, critical: 0.95 },
      for: "10m",
      summary: "Host {{ $labels.instance }} CPU is busy",
      description: "CPU usage of {{ $labels.instance }} is {{ $value | humanizePercentage }}.",
      fixtures: {
        bad: (ctx) => [series(ctx, "cpu_seconds", 'cpu="0",mode="idle"', "0+1x60")],
        good: (ctx) => [series(ctx, "cpu_seconds", 'cpu="0",mode="idle"', "0+54x60")],
      },
    },
    {
      id: "HostHighMemoryUsage",
      value: (ctx) => `1 - max by (instance) (${sel(ctx, "mem_available")}) / max by (instance) (${sel(ctx, "mem_total")})`,
      comparison: ">",
      unit: "ratio",
      thresholds: { warning: 0.85, critical: 0.95 },
      for: "10m",
      summary: "Host {{ $labels.instance }} is low on memory",
      description: "Memory usage of {{ $labels.instance }} is {{ $value | humanizePercentage }}.",
      fixtures: {
        bad: (ctx) => [series(ctx, "mem_available", "", "10x60"), series(ctx, "mem_total", "", "1000x60")],
        good: (ctx) => [series(ctx, "mem_available", "", "600x60"), series(ctx, "mem_total", "", "1000x60")],
      },
    },
    {
      id: "HostDiskSpaceLow",
      value: (ctx) => `1 - max by (instance, mountpoint) (${sel(ctx, "fs_avail", FS)} / ${sel(ctx, "fs_size", FS)})`,
      comparison: ">",
      unit: "ratio",
      thresholds: { warning: 0.9, critical: 0.95 },
      for: "15m",
      summary: "Host {{ $labels.instance }} disk {{ $labels.mountpoint }} is filling up",
      description: "{{ $labels.mountpoint }} on {{ $labels.instance }} is {{ $value | humanizePercentage }} full.",
      fixtures: {
        bad: (ctx) => [series(ctx, "fs_avail", 'fstype="ext4",mountpoint="/"', "1x60"), series(ctx, "fs_size", 'fstype="ext4",mountpoint="/"', "100x60")],
        good: (ctx) => [series(ctx, "fs_avail", 'fstype="ext4",mountpoint="/"', "60x60"), series(ctx, "fs_size", 'fstype="ext4",mountpoint="/"', "100x60")],
      },
    },
    {
      id: "HostHighLoad",
      value: (ctx) => `max by (instance) (${sel(ctx, "load5")}) / count by (instance) (${sel(ctx, "cpu_seconds", 'mode="idle"')})`,
      comparison: ">",
      unit: "count",
      thresholds: { warning: 2 },
      for: "15m",
      summary: "Host {{ $labels.instance }} load is high",
      description: "5-minute load per CPU on {{ $labels.instance }} is {{ $value | humanize }}.",
      fixtures: {
        bad: (ctx) => [series(ctx, "load5", "", "8x60"), series(ctx, "cpu_seconds", 'cpu="0",mode="idle"', "0+30x60")],
        good: (ctx) => [series(ctx, "load5", "", "0.5x60"), series(ctx, "cpu_seconds", 'cpu="0",mode="idle"', "0+30x60")],
      },
    },
    {
      id: "HostDiskIoSaturated",
      value: (ctx) => `max by (instance) (rate(${sel(ctx, "disk_io_time")}[5m]))`,
      comparison: ">",
      unit: "ratio",
      thresholds: { warning: 0.9 },
      for: "15m",
      summary: "Host {{ $labels.instance }} disk I/O is saturated",
      description: "A disk on {{ $labels.instance }} is busy {{ $value | humanizePercentage }} of the time.",
      fixtures: {
        bad: (ctx) => [series(ctx, "disk_io_time", 'device="sda"', "0+60x60")],
        good: (ctx) => [series(ctx, "disk_io_time", 'device="sda"', "0+6x60")],
      },
    },
  ],
  alarms: [
    metricAlarm({ id: "Ec2CpuHigh", resource: "ec2", namespace: "AWS/EC2", metricName: "CPUUtilization", dimensions: instances, description: "EC2 CPU utilisation (%)", unit: "percent", comparison: ">", thresholds: { warning: 80, critical: 95 }, statistic: "Average" }),
    metricAlarm({ id: "Ec2StatusCheckFailed", resource: "ec2", namespace: "AWS/EC2", metricName: "StatusCheckFailed", dimensions: instances, description: "EC2 status checks failing", unit: "count", comparison: ">", thresholds: { critical: 0 }, statistic: "Maximum", treatMissingData: "breaching" }),
  ],
};
