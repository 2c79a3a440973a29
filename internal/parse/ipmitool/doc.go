// Package ipmitool parses ipmitool's text output. Besides `ipmitool fru`
// and `sdr elist` (fru.go, sdr.go, psu.go) it reads the BMC's identity,
// network, event log and sensors (mc.go, lan.go, sel.go, selclass.go,
// sensors.go) in these formats:
//
//   - `ipmitool mc info` / `bmc info`: "Key : value" lines, list values on
//     indented lines below ("Additional Device Support", "Aux Firmware Rev
//     Info"). ParseMCInfo.
//   - `ipmitool lan print [CHANNEL]`: "Key : value" lines, continuation
//     lines starting with ":". ParseLAN.
//   - `ipmitool sel elist` and `sel list`: "ID | date | time | sensor |
//     event | Asserted|Deasserted [| extra]" lines, OEM records and
//     "Linux kernel panic" records (ipmitool's ipmi_sel_print_std_entry).
//     ParseSEL, ClassifySEL, SummarizeSEL.
//   - `ipmitool sel info`: "Key : value" lines; ParseSELInfo (entries, free
//     space, percent used, the overflow flag, and whether the log is full).
//   - `ipmitool sdr elist` (and `sdr`): read once by ParseSDR; ParseSensors
//     splits each reading into value, unit, states and status.
//
// SEL counting rules (SummarizeSEL):
//
//   - an event is an entry logged as "Asserted": a condition began;
//   - a "Deasserted" entry says a condition ended; it is counted apart and
//     never as trouble, so a failure and its recovery count once;
//   - OEM records (types C0h-FFh: vendor data, no sensor, no direction) are
//     counted apart and not classified; a "Linux kernel panic" record is an
//     OS critical stop;
//   - an asserted entry is hardware trouble when a rule of SELRules matches
//     its sensor type and event text (uncorrectable ECC, correctable-ECC
//     logging limit, machine check / IERR, thermal trip, PSU failure or AC
//     lost, PSU redundancy lost, drive fault, PCIe fatal, log full, OS
//     critical stop); every logged occurrence counts, and the first one is
//     kept;
//   - "log full": an "Event Logging Disabled" entry "Log full" or "Log
//     almost full" (SummarizeSEL), or `sel info`'s overflow flag
//     (SELInfo.Full) — later events may be missing from the log.
package ipmitool
