/**
 * The seccomp program run through a small classic-BPF interpreter, for both architectures
 * (the real kernel check for this machine's is in test/security/sandbox.hardening.test.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  AF_UNIX,
  CLONE_NAMESPACE_FLAGS,
  SECCOMP_ARCHES,
  seccompBytes,
  seccompProgram,
  seccompSyscallNumbers,
  type BpfInstruction,
  type SeccompArch,
} from '../../../actors/exec/seccomp.js';

const ALLOW = 0x7fff0000;
const EPERM = 0x00050001;
const ENOSYS = 0x00050026;
const KILL = 0x80000000;

/** Runs the program on one system call as the kernel would (seccomp_data: nr, arch, ip, args). */
function decide(program: BpfInstruction[], call: { nr: number; arch: number; args?: number[] }): number {
  const word = (offset: number): number => {
    if (offset === 0) return call.nr;
    if (offset === 4) return call.arch;
    const arg = (offset - 16) / 8;
    if (Number.isInteger(arg) && arg >= 0 && arg < 6) return call.args?.[arg] ?? 0;
    throw new Error(`unexpected load at ${offset}`);
  };
  let acc = 0;
  for (let pc = 0; pc < program.length;) {
    const { code, jt, jf, k } = program[pc]!;
    switch (code) {
      case 0x20:
        acc = word(k);
        pc += 1;
        break;
      case 0x15:
        pc += 1 + (acc === k ? jt : jf);
        break;
      case 0x35:
        pc += 1 + (acc >>> 0 >= k >>> 0 ? jt : jf);
        break;
      case 0x45:
        pc += 1 + ((acc & k) !== 0 ? jt : jf);
        break;
      case 0x06:
        return k >>> 0;
      default:
        throw new Error(`unknown opcode ${code}`);
    }
  }
  throw new Error('fell off the end of the program');
}

for (const arch of Object.keys(SECCOMP_ARCHES) as SeccompArch[]) {
  const nr = seccompSyscallNumbers(arch);
  const audit = SECCOMP_ARCHES[arch].audit;
  const offline = seccompProgram({ arch, network: false });
  const online = seccompProgram({ arch, network: true });
  const call = (name: keyof typeof nr, args: number[] = [], program = offline) => decide(program, { nr: nr[name], arch: audit, args });

  describe(`seccomp filter (${arch})`, () => {
    it('refuses mounts, tracing, keyrings, namespaces and io_uring with EPERM', () => {
      for (const name of [
        'mount',
        'umount2',
        'pivot_root',
        'fsopen',
        'mount_setattr',
        'ptrace',
        'process_vm_readv',
        'keyctl',
        'add_key',
        'request_key',
        'unshare',
        'setns',
        'io_uring_setup',
      ] as const) {
        expect(call(name), name).toBe(EPERM);
        expect(call(name, [], online), name).toBe(EPERM);
      }
    });

    it('lets a fork or a thread through but not a clone into new namespaces, and sends clone3 back to clone', () => {
      const CLONE_THREAD_FLAGS = 0x003d0f00;
      expect(call('clone', [0x01200011])).toBe(ALLOW);
      expect(call('clone', [CLONE_THREAD_FLAGS])).toBe(ALLOW);
      for (const flag of [0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000]) {
        expect(call('clone', [0x01200011 | flag]), flag.toString(16)).toBe(EPERM);
      }
      expect(CLONE_NAMESPACE_FLAGS).toBe(0x7e020000);
      expect(call('clone3')).toBe(ENOSYS);
    });

    it('with the network off allows only AF_UNIX sockets; with it on, every family', () => {
      expect(call('socket', [AF_UNIX])).toBe(ALLOW);
      for (const family of [2, 10, 16, 17]) {
        expect(call('socket', [family]), `family ${family}`).toBe(EPERM);
        expect(call('socket', [family], online), `family ${family}`).toBe(ALLOW);
      }
    });

    it('allows everything else, and kills a call made through another ABI', () => {
      for (const other of [0, 1, 2, 3, 59, 60, 231, 221, 93, 94]) expect(decide(offline, { nr: other, arch: audit })).toBe(ALLOW);
      expect(decide(offline, { nr: nr.mount, arch: 0x40000003 })).toBe(KILL);
      if (arch === 'x64') expect(decide(offline, { nr: 0x40000000 + nr.mount, arch: audit })).toBe(KILL);
    });

    it('encodes 8 bytes per instruction', () => {
      const bytes = seccompBytes({ arch, network: false });
      expect(bytes.length).toBe(offline.length * 8);
      expect(bytes.readUInt16LE(0)).toBe(offline[0]!.code);
      expect(bytes.readUInt32LE(4)).toBe(offline[0]!.k);
    });
  });
}
