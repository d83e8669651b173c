package usage

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// iamServer speaks the IAM query protocol (form-encoded POST, XML answers) for the two
// Access Advisor calls: the job stays in progress for a few polls, then pages its report.
type iamServer struct {
	clock      *fakeClock
	busyPolls  int
	fail       bool
	pages      []string // ServicesLastAccessed members per page
	mu         sync.Mutex
	generated  []string // Arn|Granularity
	polls      int
	pollTimes  []time.Time
	lastMarker string
}

const iamNS = "https://iam.amazonaws.com/doc/2010-05-08/"

func (s *iamServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.Method != http.MethodPost || r.Form.Get("Version") != "2010-05-08" {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml")
	switch r.Form.Get("Action") {
	case "GenerateServiceLastAccessedDetails":
		s.generated = append(s.generated, r.Form.Get("Arn")+"|"+r.Form.Get("Granularity"))
		fmt.Fprintf(w, `<GenerateServiceLastAccessedDetailsResponse xmlns="%s"><GenerateServiceLastAccessedDetailsResult><JobId>job-1</JobId></GenerateServiceLastAccessedDetailsResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></GenerateServiceLastAccessedDetailsResponse>`, iamNS)
	case "GetServiceLastAccessedDetails":
		s.polls++
		s.pollTimes = append(s.pollTimes, s.clock.Now())
		if r.Form.Get("JobId") != "job-1" {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `<ErrorResponse xmlns="%s"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>no job</Message></Error><RequestId>r</RequestId></ErrorResponse>`, iamNS)
			return
		}
		head := `<GetServiceLastAccessedDetailsResponse xmlns="` + iamNS + `"><GetServiceLastAccessedDetailsResult>`
		tail := `</GetServiceLastAccessedDetailsResult><ResponseMetadata><RequestId>r2</RequestId></ResponseMetadata></GetServiceLastAccessedDetailsResponse>`
		if s.polls <= s.busyPolls {
			fmt.Fprint(w, head+`<JobStatus>IN_PROGRESS</JobStatus><JobType>ACTION_LEVEL</JobType><JobCreationDate>2026-07-01T00:00:00Z</JobCreationDate><ServicesLastAccessed/><IsTruncated>false</IsTruncated>`+tail)
			return
		}
		if s.fail {
			fmt.Fprint(w, head+`<JobStatus>FAILED</JobStatus><JobType>ACTION_LEVEL</JobType><JobCreationDate>2026-07-01T00:00:00Z</JobCreationDate><ServicesLastAccessed/><Error><Message>the entity does not exist</Message><Code>EntityNotFound</Code></Error><IsTruncated>false</IsTruncated>`+tail)
			return
		}
		s.lastMarker = r.Form.Get("Marker")
		page := 0
		if s.lastMarker != "" {
			fmt.Sscanf(s.lastMarker, "page-%d", &page)
		}
		more := ""
		if page+1 < len(s.pages) {
			more = fmt.Sprintf(`<IsTruncated>true</IsTruncated><Marker>page-%d</Marker>`, page+1)
		} else {
			more = `<IsTruncated>false</IsTruncated>`
		}
		fmt.Fprint(w, head+`<JobStatus>COMPLETED</JobStatus><JobType>ACTION_LEVEL</JobType><JobCreationDate>2026-07-01T00:00:00Z</JobCreationDate><JobCompletionDate>2026-07-01T00:00:09Z</JobCompletionDate><ServicesLastAccessed>`+s.pages[page]+`</ServicesLastAccessed>`+more+tail)
	default:
		w.WriteHeader(http.StatusBadRequest)
	}
}

func service(ns, last string, actions ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<member><ServiceName>%s</ServiceName><ServiceNamespace>%s</ServiceNamespace>`, ns, ns)
	if last != "" {
		fmt.Fprintf(&b, `<LastAuthenticated>%s</LastAuthenticated><LastAuthenticatedEntity>arn:aws:iam::123456789012:role/app</LastAuthenticatedEntity><LastAuthenticatedRegion>us-east-1</LastAuthenticatedRegion><TotalAuthenticatedEntities>1</TotalAuthenticatedEntities>`, last)
	} else {
		b.WriteString(`<TotalAuthenticatedEntities>0</TotalAuthenticatedEntities>`)
	}
	if len(actions) > 0 {
		b.WriteString(`<TrackedActionsLastAccessed>`)
		for i := 0; i+1 < len(actions); i += 2 {
			fmt.Fprintf(&b, `<member><ActionName>%s</ActionName>`, actions[i])
			if actions[i+1] != "" {
				fmt.Fprintf(&b, `<LastAccessedEntity>arn:aws:iam::123456789012:role/app</LastAccessedEntity><LastAccessedRegion>us-east-1</LastAccessedRegion><LastAccessedTime>%s</LastAccessedTime>`, actions[i+1])
			}
			b.WriteString(`</member>`)
		}
		b.WriteString(`</TrackedActionsLastAccessed>`)
	}
	b.WriteString(`</member>`)
	return b.String()
}

func newIAMClient(url string) *iam.Client {
	return iam.NewFromConfig(testAWSConfig(), func(o *iam.Options) { o.BaseEndpoint = aws.String(url) })
}

func TestAccessAdvisor(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)}
	srv := &iamServer{clock: clock, busyPolls: 3, pages: []string{
		service("s3", "2026-06-20T10:00:00Z", "GetObject", "2026-06-20T10:00:00Z", "PutObject", "", "ListBucket", "2026-06-18T08:00:00Z") +
			service("ec2", "2026-06-10T00:00:00Z", "DescribeInstances", "2026-06-10T00:00:00Z"),
		service("dynamodb", "2026-06-25T00:00:00Z") + // tracked at service level only
			service("sqs", "") + // granted, never used
			service("iam", "2025-01-01T00:00:00Z", "GetRole", "2025-01-01T00:00:00Z"), // before the window
	}}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	principal := "arn:aws:iam::123456789012:role/app"
	src := AccessAdvisor{Client: newIAMClient(ts.URL), Principals: []string{principal}}
	d, err := Collect(context.Background(), Options{Clock: clock, Window: Window{Since: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)}}, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(srv.generated) != 1 || srv.generated[0] != principal+"|ACTION_LEVEL" {
		t.Errorf("generate calls %q", srv.generated)
	}
	// Polled until done, waiting longer each time, on the injected clock.
	if len(clock.sleeps) != 3 || clock.sleeps[0] != time.Second || clock.sleeps[1] != 2*time.Second || clock.sleeps[2] != 4*time.Second {
		t.Errorf("sleeps %v, want 1s 2s 4s", clock.sleeps)
	}
	if srv.lastMarker != "page-1" {
		t.Errorf("second page not read (last marker %q)", srv.lastMarker)
	}
	p := d.Principal(principal)
	if p == nil {
		t.Fatal("no principal")
	}
	for action, last := range map[string]string{"s3:GetObject": "2026-06-20T10:00:00Z", "s3:ListBucket": "2026-06-18T08:00:00Z", "ec2:DescribeInstances": "2026-06-10T00:00:00Z"} {
		a := mustAction(t, d, principal, action)
		if a.Count != 0 || !a.First.IsZero() || a.Last.Format(time.RFC3339) != last || !a.Used() || len(a.Sources) != 1 || a.Sources[0] != SourceAccessAdvisor {
			t.Errorf("%s: %+v", action, a)
		}
	}
	var actions []string
	for _, a := range p.Actions {
		actions = append(actions, a.Action)
	}
	if strings.Join(actions, " ") != "ec2:DescribeInstances s3:GetObject s3:ListBucket" {
		t.Errorf("actions %v (unused and out-of-window ones must not appear)", actions)
	}
	var services []string
	for _, s := range p.Services {
		services = append(services, s.Service+"@"+s.Last.Format(time.DateOnly))
	}
	if strings.Join(services, " ") != "dynamodb@2026-06-25 ec2@2026-06-10 s3@2026-06-20" {
		t.Errorf("services %v", services)
	}
	if d.Totals.OutsideWindow != 2 {
		t.Errorf("outside window %d, want 2 (iam service and action)", d.Totals.OutsideWindow)
	}
}

func TestAccessAdvisorFailures(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)}
	failing := httptest.NewServer(&iamServer{clock: clock, fail: true})
	defer failing.Close()
	_, err := Collect(context.Background(), Options{Clock: clock}, AccessAdvisor{Client: newIAMClient(failing.URL), Principals: []string{"arn:aws:iam::1:role/x"}})
	if err == nil || !strings.Contains(err.Error(), "EntityNotFound: the entity does not exist") {
		t.Errorf("failed job: %v", err)
	}
	slow := httptest.NewServer(&iamServer{clock: clock, busyPolls: 1000})
	defer slow.Close()
	_, err = Collect(context.Background(), Options{Clock: clock}, AccessAdvisor{Client: newIAMClient(slow.URL), Principals: []string{"arn:aws:iam::1:role/x"}, Timeout: time.Minute})
	if err == nil || !strings.Contains(err.Error(), "not done after 1m0s") {
		t.Errorf("slow job: %v", err)
	}
	if _, err := Collect(context.Background(), Options{}, AccessAdvisor{}); err == nil {
		t.Error("no principals accepted")
	}
}
