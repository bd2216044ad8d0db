package transcript

import (
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fillAll sets every settable field below v to a value that is not its
// zero value, recursing into structs, slices and maps, and returns how
// many leaves it set. Each leaf gets a value of its own (from *n), so that
// two fields swapped by a codec show as a difference.
func fillAll(v reflect.Value, n *int) {
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillAll(v.Field(i), n)
			}
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fillAll(s.Index(i), n)
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fillAll(k, n)
		fillAll(e, n)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fillAll(p.Elem(), n)
		v.Set(p)
	case reflect.String:
		*n++
		v.SetString(fmt.Sprintf("value %d", *n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		*n++
		v.SetInt(int64(*n))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		*n++
		v.SetUint(uint64(*n))
	case reflect.Float32, reflect.Float64:
		*n++
		v.SetFloat(float64(*n) + 0.5)
	default:
		panic(fmt.Sprintf("fillAll: no value for a %s", v.Kind()))
	}
}

// TestCatalogCodec_EveryCallField: every field of a call's header (all of
// Call but its Lines, with every field of its Source and Participants)
// comes back from a catalog written and read again. A server that starts
// from the catalog shows calls as the catalog has them, so a field added
// to Call, Participant or Source and forgotten by the catalog would vanish
// from every page after a restart; this test fails until catalogCallOf,
// catalogCall.call and the codec keep it.
func TestCatalogCodec_EveryCallField(t *testing.T) {
	var c Call
	n := 0
	fillAll(reflect.ValueOf(&c).Elem(), &n)
	c.Lines = nil // lines are not in the catalog

	cc := catalogCallOf(&c)
	cat := &Catalog{Version: catalogVersion, Hash: "h", Calls: []catalogCall{cc}}
	path := filepath.Join(t.TempDir(), "catalog")
	if err := cat.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	back, err := ReadCatalog(path)
	if err != nil {
		t.Fatal(err)
	}
	got := back.Calls[0].call()
	if diff := cmp.Diff(c, got); diff != "" {
		t.Errorf("a call's header through the catalog (-written +read):\n%s", diff)
	}
}
