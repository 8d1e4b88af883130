package mjcf

import "testing"

func BenchmarkPM01(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := LoadFile("../../../shared/models/pm01/resource/pm_v2.xml"); err != nil {
			b.Fatal(err)
		}
	}
}
