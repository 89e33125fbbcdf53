import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { PhysicalDisk } from '../../model/state.js';
import { applyNvmeTemperatures, nvmeDeviceName, parseSensors } from './sensors.js';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/sensors');
const fixture = (name: string) => fs.readFileSync(path.join(dir, name), 'utf8');
const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);

describe('parseSensors', () => {
  it('Intel coretemp: package, cores, cpuMax; NVMe drives by device name; other chips ignored', () => {
    const t = parseSensors(fixture('intel-coretemp-nvme.json'), NOW);
    expect(t).toEqual({
      available: true,
      hasCPU: true,
      hasNVMe: true,
      cpuPackage: 52,
      cpuMax: 55,
      cores: [
        { core: 0, temp: 49 },
        { core: 1, temp: 51 },
        { core: 2, temp: 55 },
        { core: 3, temp: 48 },
      ],
      nvme: [
        { device: 'nvme0100', temp: 38.85 },
        { device: 'nvme0200', temp: 41.85 },
      ],
      lastUpdate: '2026-11-26T12:00:00.000Z',
    });
  });

  it('two Intel sockets: the hotter package is the CPU package', () => {
    const t = parseSensors(fixture('intel-dual-socket.json'), NOW);
    expect(t.cpuPackage).toBe(66);
    expect(t.cpuMax).toBe(65);
    expect(t.cores).toHaveLength(4);
    expect(t.hasNVMe).toBe(false);
    expect(t.nvme).toBeUndefined();
  });

  it('AMD Ryzen: Tctl without Tdie is the package, Tccd are cores; a GPU edge sensor is not the CPU', () => {
    const t = parseSensors(fixture('amd-ryzen-k10temp.json'), NOW);
    expect(t.cpuPackage).toBe(47.25);
    expect(t.cores).toEqual([
      { core: 1, temp: 43.5 },
      { core: 2, temp: 45.75 },
    ]);
    expect(t.cpuMax).toBe(45.75);
    expect(t.nvme).toEqual([{ device: 'nvme0400', temp: 35.85 }]);
  });

  it('AMD with Tdie: the real die temperature wins over the offset Tctl', () => {
    const t = parseSensors(fixture('amd-epyc-tdie.json'), NOW);
    expect(t.cpuPackage).toBe(38.125);
    expect(t.cpuMax).toBe(38.125);
    expect(t.available).toBe(true);
  });

  it('Raspberry Pi cpu_thermal', () => {
    const t = parseSensors(fixture('raspberry-pi.json'), NOW);
    expect(t).toMatchObject({ available: true, hasCPU: true, cpuPackage: 44.303 });
  });

  it('warnings around the JSON and features without a reading', () => {
    const t = parseSensors(fixture('with-warning.txt'), NOW);
    expect(t.cpuPackage).toBe(70);
    expect(t.cores).toEqual([{ core: 1, temp: 69 }]);
  });

  it('no CPU or NVMe chip, empty, garbage → not available', () => {
    for (const text of [
      fixture('no-sensors.json'),
      '',
      '{}',
      'bash: sensors: command not found',
      '{"a": [1',
      '[1,2]',
    ]) {
      const t = parseSensors(text, NOW);
      expect(t.available).toBe(false);
      expect(t.hasCPU).toBe(false);
      expect(t.cpuPackage).toBeUndefined();
      expect(t.lastUpdate).toBe('2026-11-26T12:00:00.000Z');
    }
  });

  it('a CPU chip with no usable reading is seen but not available', () => {
    const t = parseSensors('{"coretemp-isa-0000":{"Adapter":"ISA adapter","Core 0":{"temp2_input":0}}}', NOW);
    expect(t).toMatchObject({ available: false, hasCPU: true, hasNVMe: false });
  });

  it('NVMe device names', () => {
    expect(nvmeDeviceName('nvme-pci-0100')).toBe('nvme0100');
    expect(nvmeDeviceName('nvme-pci-10000')).toBe('nvme10000');
    expect(nvmeDeviceName('nvme-virtual-0')).toBe('nvmevirtual0');
  });
});

describe('applyNvmeTemperatures', () => {
  const disk = (node: string, devPath: string, type: string): PhysicalDisk => ({
    id: `pve-${node}-${devPath.replace(/\//g, '-')}`,
    node,
    instance: 'pve',
    devPath,
    model: 'm',
    serial: 's',
    type,
    size: 1,
    health: 'PASSED',
    wearout: 100,
    temperature: 0,
    rpm: 0,
    used: '',
    lastChecked: '2026-11-26T12:00:00.000Z',
  });

  it('maps temps onto nvme disks of the node in device order; others untouched', () => {
    const disks = [
      disk('n1', '/dev/sda', 'ssd'),
      disk('n1', '/dev/nvme1n1', 'nvme'),
      disk('n1', '/dev/nvme0n1', 'nvme'),
      disk('n2', '/dev/nvme0n1', 'nvme'),
    ];
    const out = applyNvmeTemperatures(disks, new Map([['n1', [38.85, 41.6]]]));
    expect(out.map((d) => d.temperature)).toEqual([0, 42, 39, 0]);
    expect(out[0]).toBe(disks[0]);
    expect(out[3]).toBe(disks[3]);
    expect(disks[1].temperature).toBe(0);
  });

  it('no readings → the same array', () => {
    const disks = [disk('n1', '/dev/nvme0n1', 'nvme')];
    expect(applyNvmeTemperatures(disks, new Map())).toBe(disks);
  });
});
