package ipmitool

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// PSU status values.
const (
	PSUOK                = "ok"
	PSUFailed            = "failed"
	PSUACLost            = "ac_lost"
	PSUAbsent            = "absent"
	PSUPredictiveFailure = "predictive_failure"
	PSUUnknown           = "unknown"
)

// PSU is one power supply as seen by the BMC.
type PSU struct {
	// Name is "PSU<n>" where n is the supply's number (from "PS2 Status",
	// "Power Supply 2", "Pwr Supply 2 FRU", or the SDR entity instance 10.2);
	// when no number is known, the FRU or sensor name.
	Name string
	Slot *int // the number n; nil when unknown

	// Inventory from the PSU's FRU record: Product fields, else Board fields
	// (Dell PSU FRUs carry only Board fields). "" when there is no FRU or the
	// field is empty.
	Manufacturer string // "Product Manufacturer" / "Board Mfg"
	Model        string // "Product Name" / "Board Product"
	SerialNumber string // "Product Serial" / "Board Serial"
	PartNumber   string // "Product Part Number" / "Board Part Number"
	// Firmware is always "": neither `ipmitool fru` nor `sdr elist` reports a
	// PSU firmware version. The field exists for other sources.
	Firmware string
	// Version is the FRU "Product Version": a hardware revision ("01A"),
	// not firmware.
	Version string
	// FRU is the Description of the FRU record used, "" if none matched.
	FRU string

	// Status is one of PSUOK, PSUFailed, PSUACLost, PSUAbsent,
	// PSUPredictiveFailure, PSUUnknown. See PSUs for how it is decided.
	Status string
	// Events are the texts the status was decided from: "<sensor>: <reading>"
	// for each status sensor of this PSU, in SDR order, and
	// "FRU <description>: <message>" when the FRU was not readable.
	Events []string
	// Sensors are the names of all SDR sensors attributed to this PSU (status
	// and analog, e.g. "PS1 Status", "PS1 Input Power"), in SDR order.
	Sensors []string
}

// psuNameRe finds a power-supply word, and the number right after it, in a
// sensor or FRU name: "PS1 Status", "PSU2", "PS_3", "Power Supply 1",
// "Pwr Supply 2 FRU", "PWS 1". Longer words are tried first.
var psuNameRe = regexp.MustCompile(`(?i)(?:^|[^a-z0-9])(psu|pws|ps|pwr\s*supply|power\s*supply)(?:\s*[-_#]?\s*(\d+)|\b)`)

// psuBareRe matches a name that is nothing but a PSU word and number, which
// vendors use for the status sensor itself ("Power Supply 1" on HP).
var psuBareRe = regexp.MustCompile(`(?i)^(psu|pws|ps|pwr\s*supply|power\s*supply)\s*[-_#]?\s*\d*$`)

// redundancyNameRe marks a redundancy sensor as being about power.
var redundancyNameRe = regexp.MustCompile(`(?i)(?:^|[^a-z])(psu?|pws|pwr|power)`)

// psuNumber reports whether name names a power supply, and its number ("" if
// the name carries none).
func psuNumber(name string) (bool, string) {
	m := psuNameRe.FindStringSubmatch(name)
	if m == nil {
		return false, ""
	}
	if m[2] == "" {
		return true, ""
	}
	n, err := strconv.Atoi(m[2])
	if err != nil {
		return true, ""
	}
	return true, strconv.Itoa(n)
}

const (
	entityPowerSupply = 10 // IPMI entity ID 0Ah
	entityPowerUnit   = 19 // IPMI entity ID 13h
)

// isPSURedundancy reports whether s is a power-supply redundancy sensor:
// its name or reading speaks of redundancy, and it is about power (entity
// power supply or power unit, or a name like "PS Redundancy", "Power
// Supplies", "Pwr Unit Redund").
func isPSURedundancy(s Sensor) bool {
	lname, lread := strings.ToLower(s.Name), strings.ToLower(s.Reading)
	if !strings.Contains(lname, "redund") && !strings.Contains(lread, "redundan") {
		return false
	}
	if id, _, ok := s.entity(); ok && (id == entityPowerSupply || id == entityPowerUnit) {
		return true
	}
	return redundancyNameRe.MatchString(s.Name)
}

// failWordRe matches "failed"/"fault" as words, not inside "default".
var failWordRe = regexp.MustCompile(`\b(failed|fault)\b`)

// verdict ranks; higher is worse. Within one reading, and across the status
// sensors of one PSU, the worst verdict wins.
var rank = map[string]int{
	"":                   0,
	"ns":                 1, // no reading; resolved to absent or unknown later
	"empty":              2, // valid reading, no state asserted; absent unless another sensor says more
	PSUUnknown:           3,
	PSUOK:                4,
	PSUAbsent:            5,
	PSUPredictiveFailure: 6,
	PSUFailed:            7,
	PSUACLost:            8,
}

// hexStateRe matches the discrete reading `ipmitool sdr list` prints, "0x0b".
var hexStateRe = regexp.MustCompile(`^0[xX][0-9a-fA-F]{1,4}$`)

// Power supply sensor (type 08h) state offsets, as bits of the state byte.
var psuStateBits = []struct {
	bit  uint64
	text string
}{
	{0x01, "Presence detected"},
	{0x02, "Failure detected"},
	{0x04, "Predictive failure"},
	{0x08, "Power Supply AC lost"},
	{0x10, "AC lost or out-of-range"},
	{0x20, "AC out-of-range, but present"},
	{0x40, "Config Error"},
	{0x80, "Power Supply Inactive"},
}

// hexStateText turns the hex state byte of a `sdr list` power supply status
// sensor ("0x0b") into the state texts `sdr elist` prints for it ("Presence
// detected, Failure detected, Power Supply AC lost"). ok is false for
// anything but a non-zero hex byte: BMCs that do not mirror the state bits
// into the reading byte (Dell) print "0x00" whatever the state.
func hexStateText(reading string) (string, bool) {
	if !hexStateRe.MatchString(reading) {
		return "", false
	}
	v, err := strconv.ParseUint(reading[2:], 16, 16)
	if err != nil || v&0xff == 0 {
		return "", false
	}
	var states []string
	for _, b := range psuStateBits {
		if v&b.bit != 0 {
			states = append(states, b.text)
		}
	}
	return strings.Join(states, ", "), true
}

// readingVerdict maps the discrete states of a power supply sensor to a
// status. It returns "" when the reading carries no power-supply state (an
// analog value like "95 Watts" or "40 degrees C").
//
// IPMI sensor type 08h (Power Supply) states as ipmitool prints them:
// "Presence detected", "Failure detected", "Predictive failure",
// "Power Supply AC lost", "AC lost or out-of-range", "AC out-of-range, but
// present", "Config Error[: ...]", "Power Supply Inactive"; generic presence
// states: "Device Present", "Device Absent", "Entity Present/Absent".
//
// Two generic forms are also read: "State Asserted" on a sensor whose name
// says what is asserted ("PS1 Fan Fail", "PSU2 AC Lost"), and the severity
// states "Transition to Critical from less severe" / "... Non-recoverable"
// (failed). "Transition to OK" and "State Deasserted" say nothing about
// presence and give "".
func readingVerdict(name, reading string) string {
	r := strings.ToLower(reading)
	if r == "state asserted" || r == "asserted" {
		n := strings.ToLower(name)
		switch {
		case strings.Contains(n, "ac lost"), strings.Contains(n, "input lost"):
			return PSUACLost
		case strings.Contains(n, "fail"), strings.Contains(n, "fault"):
			return PSUFailed
		case strings.Contains(n, "predict"):
			return PSUPredictiveFailure
		}
		return ""
	}
	switch {
	case strings.Contains(r, "transition to critical"), strings.Contains(r, "transition to non-recoverable"):
		return PSUFailed
	case strings.Contains(r, "ac lost"), strings.Contains(r, "input lost"),
		strings.Contains(r, "out-of-range"), strings.Contains(r, "out of range"):
		// Checked before "failure detected": BMCs assert both when the input
		// goes, and "check the cord/PDU" is the actionable finding.
		return PSUACLost
	case strings.Contains(r, "failure detected"), failWordRe.MatchString(r), strings.Contains(r, "config error"),
		strings.Contains(r, "configuration error"), strings.Contains(r, "mismatch"):
		return PSUFailed
	case strings.Contains(r, "predictive"):
		return PSUPredictiveFailure
	case strings.Contains(r, "absent"), strings.Contains(r, "not present"),
		strings.Contains(r, "removed"), strings.Contains(r, "not installed"):
		return PSUAbsent
	case strings.Contains(r, "presence detected"), strings.Contains(r, "present"),
		strings.Contains(r, "inserted"), strings.Contains(r, "inactive"):
		// "Power Supply Inactive" is a cold-standby supply: present, by design idle.
		return PSUOK
	}
	return ""
}

// looksLikeStatusSensor reports whether a sensor named like this is the
// supply's status/presence sensor rather than a measurement: "PS1 Status",
// "PSU2 Presence", "Power Supply 1", "PS3", Dell's plain "Status".
func looksLikeStatusSensor(name string) bool {
	l := strings.ToLower(name)
	return strings.Contains(l, "status") || strings.Contains(l, "presen") || psuBareRe.MatchString(strings.TrimSpace(name))
}

type psuSensor struct {
	s       Sensor
	key     string
	create  bool   // may create a PSU on its own
	status  bool   // contributes a verdict
	verdict string // verdict when status
	decoded string // state texts decoded from a `sdr list` hex reading
}

// PSUs joins `ipmitool fru` records and `ipmitool sdr elist` sensors into
// one entry per power supply. Either argument may be nil.
//
// A power supply is found from
//   - FRU records whose name names a supply: "PS1", "PSU 2", "Power Supply 1",
//     "Pwr Supply 1 FRU", "PWS 1";
//   - sensors whose name does ("PS2 Status", "Power Supply 1", "PSU1 Temp");
//   - discrete sensors on SDR entity 10 (power supply) that carry supply
//     states (Dell names them just "Status", entity 10.1, 10.2).
//
// Other sensors on entity 10 (e.g. HP "Temp 12" at 10.4) are attributed to a
// supply only if one with that instance already exists; they never create
// one. Redundancy sensors ("PS Redundancy", HP's "Power Supplies") are not
// supplies.
//
// The supply's number comes from its name; for unnamed entity-10 sensors from
// the entity instance, mapped through the instances of the named sensors
// (Supermicro numbers PS1..PS4 as instances 92..89). FRUs and sensors are
// joined by that number.
//
// Status is the worst verdict over the supply's status sensors, in this
// order: ac_lost ("Power Supply AC lost", "AC lost or out-of-range", "AC
// out-of-range, but present"; this wins over the "Failure detected" BMCs
// assert with it), failed ("Failure detected", "Config Error"),
// predictive_failure, absent ("Device Absent"), ok ("Presence detected",
// "Device Present"), unknown. A status sensor with a valid reading and no
// state asserted ("Presence detected" not set) gives absent only when no
// other sensor of the supply asserts a state: Huawei BMCs leave "PS1 Status"
// empty on a healthy supply and report presence on "PS1 Presence". A
// "<name> Fail"/"Fault" sensor reading "State Asserted" and a "Transition to
// Critical/Non-recoverable" state also give failed. In `sdr list` output (no
// entity column) a status sensor's hex state byte ("0x0b") is read as the
// power supply states it encodes (bit 0 presence, 1 failure, 2 predictive
// failure, 3-5 AC lost / out of range, 6 config error, 7 inactive); "0x00"
// says nothing, as some BMCs print it whatever the state. A status sensor
// with no reading (status "ns": "No Reading", "Disabled") gives absent when
// nothing else is known about the supply: no other status sensor, and no
// readable FRU with a serial or model (an empty bay in a redundant pair
// typically looks like this); with such a FRU it gives unknown. A supply known only from its FRU is unknown, or
// absent when the FRU reads "Device not present". Threshold sensors (PSU
// temperatures, power) do not change Status; find them by name in Sensors.
//
// The result is sorted by Slot (unnumbered supplies last), then Name.
//
// PSUs runs in phases, one function each: entityNumbering, psuCandidates,
// collectSupplies, psuSet.attach, finishPSU, sortPSUs.
func PSUs(frus []FRU, sensors []Sensor) []PSU {
	instToKey, shift := entityNumbering(sensors)
	cands := psuCandidates(sensors, instToKey, shift)
	set, fruOf := collectSupplies(frus, cands)
	verdicts := set.attach(cands)
	out := make([]PSU, 0, len(set.order))
	for _, key := range set.order {
		f, hasFRU := fruOf[key]
		out = append(out, finishPSU(*set.byKey[key], key, f, hasFRU, verdicts[key]))
	}
	sortPSUs(out)
	if len(out) == 0 {
		return nil
	}
	return out
}

// entityNumbering is phase 1 of PSUs: it learns from the named sensors which
// entity-10 instance belongs to which supply number ("PS1 Status" on 10.92:
// instance 92 is supply 1). For unnamed entity-10 sensors keyed by instance
// it also returns the shift to add: Dell numbers them 10.1, 10.2 like its PS1,
// PS2 FRUs; some BMCs start at 10.0, shifted to 1 when no sensor names a
// number.
func entityNumbering(sensors []Sensor) (instToKey map[int]string, shift int) {
	instToKey = map[int]string{}
	anyNamedNumber := false
	for _, s := range sensors {
		if isPSURedundancy(s) {
			continue
		}
		named, num := psuNumber(s.Name)
		id, inst, ok := s.entity()
		if named && num != "" {
			anyNamedNumber = true
			if ok && id == entityPowerSupply {
				if _, seen := instToKey[inst]; !seen {
					instToKey[inst] = num
				}
			}
		}
	}
	if !anyNamedNumber {
		for _, s := range sensors {
			if id, inst, ok := s.entity(); ok && id == entityPowerSupply && inst == 0 && !isPSURedundancy(s) {
				return instToKey, 1
			}
		}
	}
	return instToKey, 0
}

// psuCandidates is phase 2 of PSUs: every sensor that belongs to a supply
// (by its name, or by sitting on entity 10), with the supply's key and, for
// a status sensor, its verdict. Redundancy sensors are left out.
func psuCandidates(sensors []Sensor, instToKey map[int]string, shift int) []psuSensor {
	var cands []psuSensor
	for _, s := range sensors {
		if c, ok := psuCandidate(s, instToKey, shift); ok {
			cands = append(cands, c)
		}
	}
	return cands
}

func psuCandidate(s Sensor, instToKey map[int]string, shift int) (psuSensor, bool) {
	if isPSURedundancy(s) {
		return psuSensor{}, false
	}
	named, num := psuNumber(s.Name)
	id, inst, ok := s.entity()
	onEntity := ok && id == entityPowerSupply
	if !named && !onEntity {
		return psuSensor{}, false
	}
	c := psuSensor{s: s}
	switch {
	case named && num != "":
		c.key = num
	case onEntity:
		if k, found := instToKey[inst]; found {
			c.key = k
		} else {
			c.key = strconv.Itoa(inst + shift)
		}
	default: // named without a number, not on entity 10
		c.key = ""
	}
	statusLike := looksLikeStatusSensor(s.Name)
	reading := s.Reading
	if s.Entity == "" && statusLike {
		// `sdr list` prints the state byte, not its texts.
		if text, ok := hexStateText(reading); ok {
			reading = text
			c.decoded = text
		}
	}
	switch {
	case s.Reading == "Event-Only":
		// An event-only record has no state to read.
	case s.Status == "ns":
		if statusLike {
			c.status, c.verdict = true, "ns"
		}
	default:
		if v := readingVerdict(s.Name, reading); v != "" {
			c.status, c.verdict = true, v
		} else if statusLike && (named || onEntity) {
			if s.Reading == "" {
				// No state asserted. On BMCs whose status sensor
				// carries the presence state that means an empty
				// bay; others (Huawei) report presence on a separate
				// sensor, which then decides.
				c.status, c.verdict = true, "empty"
			} else {
				c.status, c.verdict = true, PSUUnknown
			}
		}
	}
	// A numbered name or a supply state creates a supply; anything else
	// (an unnumbered "PSU Temp", HP's "Temp 12" on entity 10.4) only
	// attaches to a supply found otherwise.
	c.create = (named && num != "") || c.status
	return c, true
}

// psuSet holds the supplies by key, in the order they were found.
type psuSet struct {
	byKey map[string]*PSU
	order []string
}

func (set *psuSet) get(key string) *PSU {
	if p, ok := set.byKey[key]; ok {
		return p
	}
	p := &PSU{}
	set.byKey[key] = p
	set.order = append(set.order, key)
	return p
}

// collectSupplies is phase 3 of PSUs: one supply per numbered FRU record (the
// first with that number) and per creating sensor. FRUs come first, so that
// a FRU-only supply keeps its FRU's name.
func collectSupplies(frus []FRU, cands []psuSensor) (*psuSet, map[string]FRU) {
	set := &psuSet{byKey: map[string]*PSU{}}
	fruOf := map[string]FRU{}
	for _, f := range frus {
		named, num := psuNumber(f.Name)
		if !named {
			continue
		}
		if _, dup := fruOf[num]; dup {
			continue
		}
		fruOf[num] = f
		set.get(num)
	}
	for _, c := range cands {
		if c.create {
			set.get(c.key)
		}
	}
	return set, fruOf
}

// attach is phase 4 of PSUs: it gives each supply its sensors and the events
// of its status sensors, and returns the worst verdict per supply key.
// Sensors of a key no supply has are dropped.
func (set *psuSet) attach(cands []psuSensor) map[string]string {
	verdicts := map[string]string{}
	for _, c := range cands {
		p, ok := set.byKey[c.key]
		if !ok {
			continue
		}
		p.Sensors = append(p.Sensors, c.s.Name)
		if !c.status {
			continue
		}
		reading := c.s.Reading
		switch {
		case reading == "":
			reading = "(no state asserted)"
		case c.decoded != "":
			reading += " (" + c.decoded + ")"
		}
		p.Events = append(p.Events, c.s.Name+": "+reading)
		if rank[c.verdict] > rank[verdicts[c.key]] {
			verdicts[c.key] = c.verdict
		}
	}
	return verdicts
}

// finishPSU is phase 5 of PSUs: the FRU's inventory, the status from the
// worst verdict (see PSUs), and the name and slot from the key.
func finishPSU(p PSU, key string, f FRU, hasFRU bool, verdict string) PSU {
	if hasFRU {
		p.FRU = f.Description
		p.Manufacturer = f.first("Product Manufacturer", "Board Mfg")
		p.Model = f.first("Product Name", "Board Product")
		p.SerialNumber = f.first("Product Serial", "Board Serial")
		p.PartNumber = f.first("Product Part Number", "Board Part Number")
		p.Version = f.first("Product Version")
		if !f.Present {
			msg := f.Message
			if msg == "" {
				msg = "Device not present"
			}
			p.Events = append(p.Events, "FRU "+f.Description+": "+msg)
		}
	}
	fruReadable := hasFRU && f.Present && (p.SerialNumber != "" || p.Model != "")
	switch verdict {
	case "":
		if hasFRU && !f.Present {
			p.Status = PSUAbsent
		} else {
			p.Status = PSUUnknown
		}
	case "empty":
		p.Status = PSUAbsent
	case "ns":
		if fruReadable {
			p.Status = PSUUnknown
		} else {
			p.Status = PSUAbsent
		}
	default:
		p.Status = verdict
	}
	if n, err := strconv.Atoi(key); err == nil {
		p.Slot = &n
		p.Name = "PSU" + key
		return p
	}
	switch {
	case hasFRU && f.Name != "":
		p.Name = f.Name
	case len(p.Sensors) > 0 && p.Sensors[0] != "":
		p.Name = p.Sensors[0]
	default:
		p.Name = "PSU"
	}
	return p
}

// sortPSUs is phase 6 of PSUs: by Slot, unnumbered supplies last, then by Name.
func sortPSUs(out []PSU) {
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case a.Slot != nil && b.Slot != nil && *a.Slot != *b.Slot:
			return *a.Slot < *b.Slot
		case (a.Slot == nil) != (b.Slot == nil):
			return a.Slot != nil
		}
		return a.Name < b.Name
	})
}
