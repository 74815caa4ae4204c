package bulk_test

import (
	"os"
	"testing"

	"github.com/fhirbase-go/fhird/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }
