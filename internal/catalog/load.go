package catalog

import (
	"bytes"
	"compress/gzip"
	_ "embed" // the generated catalog
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"unsafe"
)

//go:embed catalog.bin.gz
var embedded []byte

var (
	defaultOnce sync.Once
	defaultCat  *Catalog
)

// Default returns the embedded catalog, loaded on first use. It panics only if the
// embedded data is corrupt, which the package's tests rule out.
func Default() *Catalog {
	defaultOnce.Do(func() {
		c, err := Load(bytes.NewReader(embedded))
		if err != nil {
			panic(fmt.Sprintf("catalog: embedded data is corrupt (run make catalog): %v", err))
		}
		defaultCat = c
	})
	return defaultCat
}

// Load reads a catalog in the embedded data format (gzipped).
func Load(r io.Reader) (*Catalog, error) {
	gz, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("catalog: reading: %w", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("catalog: opening gzip: %w", err)
	}
	// The gzip trailer's last four bytes hold the uncompressed size (mod 2^32): reading into
	// a buffer of that size saves io.ReadAll's regrowing. A wrong hint only costs a regrow.
	buf := bytes.NewBuffer(make([]byte, 0, sizeHint(gz)+bytes.MinRead))
	if _, err := buf.ReadFrom(zr); err != nil {
		return nil, fmt.Errorf("catalog: reading gzip: %w", err)
	}
	c, err := decode(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	return c, nil
}

// sizeHint is the uncompressed size a gzip stream's trailer states, bounded so that a
// corrupt trailer cannot make Load allocate much.
func sizeHint(gz []byte) int {
	if len(gz) < 18 { // header and trailer
		return 0
	}
	n := int(binary.LittleEndian.Uint32(gz[len(gz)-4:]))
	if n > 64<<20 {
		return 0
	}
	return n
}

// decoder walks the raw format. The whole file becomes one string and every name is a
// substring of it, so loading allocates little beyond the structures themselves.
type decoder struct {
	data    string
	pos     int
	err     error
	strs    []string
	lists   []string // backing array for all string lists
	listPos int
	res     []ActionResource // backing array for the actions' resource lists
	resPos  int
}

// resources returns n zeroed ActionResources from the shared backing array (one allocation
// for many actions), with capacity n so that an append never writes into a neighbour.
func (d *decoder) resources(n int) []ActionResource {
	if d.resPos+n > len(d.res) {
		d.res = make([]ActionResource, max(n, 1<<12))
		d.resPos = 0
	}
	out := d.res[d.resPos : d.resPos+n : d.resPos+n]
	d.resPos += n
	return out
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("offset %d: %s", d.pos, fmt.Sprintf(format, args...))
	}
}

func (d *decoder) uvarint() int {
	if d.err != nil {
		return 0
	}
	var v uint64
	var shift uint
	for i := 0; ; i++ {
		if d.pos >= len(d.data) || i == binary.MaxVarintLen64 {
			d.fail("truncated or bad number")
			return 0
		}
		b := d.data[d.pos]
		d.pos++
		v |= uint64(b&0x7f) << shift
		if b < 0x80 {
			break
		}
		shift += 7
	}
	if v > 1<<31 {
		d.fail("number %d out of range", v)
		return 0
	}
	return int(v)
}

func (d *decoder) byte() byte {
	if d.err != nil {
		return 0
	}
	if d.pos >= len(d.data) {
		d.fail("truncated")
		return 0
	}
	b := d.data[d.pos]
	d.pos++
	return b
}

func (d *decoder) str() string {
	i := d.uvarint()
	if d.err != nil {
		return ""
	}
	if i >= len(d.strs) {
		d.fail("string index %d out of range", i)
		return ""
	}
	return d.strs[i]
}

// list reads a string list into the shared backing array; the result's capacity is its
// length so that a caller's append never writes into a neighbour.
func (d *decoder) list() []string {
	n := d.uvarint()
	if n == 0 || d.err != nil {
		return nil
	}
	if d.listPos+n > len(d.lists) {
		grow := max(n, 1<<15)
		d.lists = make([]string, grow)
		d.listPos = 0
	}
	out := d.lists[d.listPos : d.listPos+n : d.listPos+n]
	d.listPos += n
	for i := range out {
		out[i] = d.str()
	}
	return out
}

// decode reads the raw format. It takes raw over: every name is a substring of it, shared
// without a copy, so the caller must not change raw afterwards.
func decode(raw []byte) (*Catalog, error) {
	d := &decoder{data: unsafe.String(unsafe.SliceData(raw), len(raw))}
	if !strings.HasPrefix(d.data, fileMagic) || len(d.data) < len(fileMagic)+1 {
		return nil, errors.New("not a catalog file (bad magic)")
	}
	d.pos = len(fileMagic)
	if v := d.byte(); v != fileVersion {
		return nil, fmt.Errorf("catalog format version %d, this build reads %d", v, fileVersion)
	}
	nstr := d.uvarint()
	if d.err == nil && nstr > len(d.data) {
		d.fail("%d strings in %d bytes", nstr, len(d.data))
	}
	if d.err != nil {
		return nil, d.err
	}
	d.strs = make([]string, nstr)
	for i := range d.strs {
		n := d.uvarint()
		if d.err != nil {
			return nil, d.err
		}
		if d.pos+n > len(d.data) {
			d.fail("string %d runs past the end", i)
			return nil, d.err
		}
		d.strs[i] = d.data[d.pos : d.pos+n]
		d.pos += n
	}

	c := &Catalog{source: d.str(), matchCache: map[string]ActionSet{}}
	nsvc := d.uvarint()
	if d.err != nil {
		return nil, d.err
	}
	if nsvc > nstr {
		return nil, fmt.Errorf("%d services but only %d strings", nsvc, nstr)
	}
	svcs := make([]Service, nsvc)
	c.services = make([]*Service, nsvc)
	c.byPrefix = make(map[string]*Service, nsvc)
	c.actions = make([]Action, 0, 1<<15)
	for i := range svcs {
		s := &svcs[i]
		c.services[i] = s
		s.Prefix, s.Name = d.str(), d.str()
		c.byPrefix[s.Prefix] = s
		d.resourceTypes(s)
		d.conditionKeys(s)
		c.numRTs += len(s.ResourceTypes)
		c.numKeys += len(s.ConditionKeys)
		s.First = ActionID(len(c.actions))
		c.actions = d.actions(s, c.actions)
		s.End = ActionID(len(c.actions))
		if d.err != nil {
			return nil, fmt.Errorf("service %d (%q): %w", i, s.Prefix, d.err)
		}
	}
	if d.pos != len(d.data) {
		return nil, fmt.Errorf("%d bytes left over after the last service", len(d.data)-d.pos)
	}
	if err := c.index(); err != nil {
		return nil, err
	}
	return c, nil
}

func (d *decoder) resourceTypes(s *Service) {
	n := d.uvarint()
	if d.err != nil {
		return
	}
	rts := make([]ResourceType, n)
	s.ResourceTypes = make([]*ResourceType, n)
	for i := range rts {
		rt := &rts[i]
		rt.Service, rt.Name, rt.ARN, rt.ConditionKeys = s, d.str(), d.str(), d.list()
		s.ResourceTypes[i] = rt
	}
}

func (d *decoder) conditionKeys(s *Service) {
	n := d.uvarint()
	if d.err != nil {
		return
	}
	cks := make([]ConditionKey, n)
	s.ConditionKeys = make([]*ConditionKey, n)
	for i := range cks {
		cks[i].Key, cks[i].Type = d.str(), d.str()
		cks[i].Global = hasPrefixFold(cks[i].Key, "aws:")
		s.ConditionKeys[i] = &cks[i]
	}
}

func (d *decoder) actions(s *Service, acts []Action) []Action {
	n := d.uvarint()
	for range n {
		if d.err != nil {
			return acts
		}
		// Filled in place: copying a whole Action into the slice costs write barriers.
		acts = append(acts, Action{})
		a := &acts[len(acts)-1]
		a.ID, a.Service, a.Name, a.Access = ActionID(len(acts)-1), s, d.str(), AccessLevel(d.byte())
		if a.Access < List || a.Access > Tagging {
			d.fail("action %q: bad access level %d", a.Name, a.Access)
		}
		nr := d.uvarint()
		if nr > len(d.data)-d.pos { // each takes at least a byte: a corrupt count must not allocate
			d.fail("action %q: %d resources in %d bytes", a.Name, nr, len(d.data)-d.pos)
		}
		if nr > 0 && d.err == nil {
			a.Resources = d.resources(nr)
			for j := range a.Resources {
				ti := d.uvarint()
				if d.err == nil && ti >= len(s.ResourceTypes) {
					d.fail("action %q: resource type index %d out of range", a.Name, ti)
					return acts[:len(acts)-1]
				}
				if d.err != nil {
					return acts[:len(acts)-1]
				}
				a.Resources[j] = ActionResource{Type: s.ResourceTypes[ti], Required: d.byte() == 1, ConditionKeys: d.list(), DependentActions: d.list()}
			}
		}
		a.ConditionKeys, a.DependentActions = d.list(), d.list()
	}
	return acts
}

// asciiLower lowercases an ASCII string in one pass; ok is false if s is not ASCII.
func asciiLower(s string) (lower string, ok bool) {
	b := make([]byte, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 0x80:
			return "", false
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		b[i] = c
	}
	return unsafe.String(unsafe.SliceData(b), len(b)), true
}

// index builds the name maps, full names, condition key index and access level sets.
func (c *Catalog) index() error {
	size := 0
	for i := range c.actions {
		size += len(c.actions[i].Service.Prefix) + 1 + len(c.actions[i].Name)
	}
	var full strings.Builder
	full.Grow(size)
	for i := range c.actions {
		a := &c.actions[i]
		full.WriteString(a.Service.Prefix)
		full.WriteByte(':')
		full.WriteString(a.Name)
	}
	fullAll := full.String()
	lowerAll, ok := asciiLower(fullAll)
	if !ok {
		return errors.New("action names are not ASCII")
	}
	c.lowerNames = make([]string, len(c.actions))
	c.byName = make(map[string]ActionID, len(c.actions))
	for _, l := range AccessLevels {
		c.byLevel[l] = c.NewSet()
	}
	off := 0
	for i := range c.actions {
		a := &c.actions[i]
		n := len(a.Service.Prefix) + 1 + len(a.Name)
		a.fullName = fullAll[off : off+n]
		a.Name = a.fullName[len(a.Service.Prefix)+1:]
		ln := lowerAll[off : off+n]
		off += n
		if i > 0 && ln <= c.lowerNames[i-1] {
			return fmt.Errorf("actions out of order at %q after %q", ln, c.lowerNames[i-1])
		}
		c.lowerNames[i] = ln
		c.byName[ln] = a.ID
		c.byLevel[a.Access].Add(a.ID)
	}
	// The condition key index is built on first use (ConditionKey): most processes never
	// look a key up.
	return nil
}
