// Raw block devices: their capacity, which fstat does not give (it reports size 0), comes from
// sysfs (/sys/dev/block/MAJOR:MINOR/size, in 512-byte sectors).
import { readFileSync } from 'node:fs'

const SECTOR_BYTES = 512

/** The capacity of the block device with device number `rdev`, or undefined when unknown. */
export function blockDeviceBytes(rdev: number): number | undefined {
  // glibc's dev_t encoding: minor in bits 0-7 and 20-31, major in bits 8-19 (and above 32).
  const major = Math.floor(rdev / 2 ** 32) * 0x1000 + ((rdev >>> 8) & 0xfff)
  const minor = ((rdev >>> 12) & 0xfff00) | (rdev & 0xff)
  try {
    const sectors = Number(readFileSync(`/sys/dev/block/${major}:${minor}/size`, 'utf8').trim())
    return Number.isSafeInteger(sectors) && sectors > 0 ? sectors * SECTOR_BYTES : undefined
  } catch {
    return undefined
  }
}
