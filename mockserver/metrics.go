package mockserver

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics exposes the server's counts on its own registry. The counts are
// read from Stats at scrape time, so /stats and /metrics never disagree.
type metrics struct {
	reg        *prometheus.Registry
	handler    http.Handler
	queueWait  prometheus.Histogram
	generation prometheus.Histogram
}

func newMetrics(s *Server) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		queueWait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "helpermock_queue_wait_seconds",
			Help:    "Time model replies waited for generation capacity.",
			Buckets: []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120},
		}),
		generation: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "helpermock_generation_seconds",
			Help: "Time a streamed model reply held its generation slot: the service time of the capacity queue " +
				"(its _sum over _count is the mean the mock served, delays and overhead included).",
			Buckets: []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120},
		}),
	}
	m.reg.MustRegister(m.queueWait, m.generation, statsCollector{s})
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return m
}

// Gatherer returns the registry behind GET /metrics, for callers that merge
// the mock's metrics into their own exposition.
func (s *Server) Gatherer() prometheus.Gatherer { return s.metrics.reg }

// statsCollector turns a Stats snapshot into helpermock_* metrics.
type statsCollector struct{ s *Server }

var (
	descRequests      = prometheus.NewDesc("helpermock_requests_total", "Requests by route (method and Helper's path pattern) and status code, as they arrived.", []string{"route", "code"}, nil)
	descDefaultSubj   = prometheus.NewDesc("helpermock_conversations_default_subject_total", "Conversations created without a subject.", nil, nil)
	descEscalations   = prometheus.NewDesc("helpermock_escalations_total", "Conversations handed to a human by a request_human_support call.", nil, nil)
	descReactions     = prometheus.NewDesc("helpermock_reactions_total", "Reactions, by change (thumbs_up, thumbs_down, cleared).", []string{"change"}, nil)
	descChatFields    = prometheus.NewDesc("helpermock_chat_fields_total", "Accepted /api/chat bodies with an optional field, by field.", []string{"field"}, nil)
	descAttachments   = prometheus.NewDesc("helpermock_attachments_total", "Files on accepted messages.", nil, nil)
	descAttachBytes   = prometheus.NewDesc("helpermock_attachment_bytes_total", "Decoded bytes of files on accepted messages.", nil, nil)
	descSessions      = prometheus.NewDesc("helpermock_sessions_total", "Sessions created, by type.", []string{"type"}, nil)
	descConversations = prometheus.NewDesc("helpermock_conversations_total", "Conversations created.", nil, nil)
	descStarted       = prometheus.NewDesc("helpermock_messages_started_total", "User messages accepted, by path (stream, async).", []string{"path"}, nil)
	descCompleted     = prometheus.NewDesc("helpermock_messages_completed_total", "Replies finished, by path: streams written to the end, async replies stored.", []string{"path"}, nil)
	descNoReply       = prometheus.NewDesc("helpermock_async_no_reply_total", "Async messages that deliberately get no reply.", nil, nil)
	descReplies       = prometheus.NewDesc("helpermock_replies_total", "Streamed replies begun, by shape (model, cached, human, empty).", []string{"shape"}, nil)
	descReads         = prometheus.NewDesc("helpermock_reads_total", "Conversation reads, by kind (get, marked_read, list, unread).", []string{"kind"}, nil)
	descRejections    = prometheus.NewDesc("helpermock_rejections_total", "Requests refused, by reason.", []string{"reason"}, nil)
	descFaults        = prometheus.NewDesc("helpermock_faults_total", "Faults injected, by kind.", []string{"kind"}, nil)
	descInFlight      = prometheus.NewDesc("helpermock_generations_in_flight", "Model replies being generated.", nil, nil)
	descQueued        = prometheus.NewDesc("helpermock_queue_length", "Model replies waiting for capacity.", nil, nil)
	descStored        = prometheus.NewDesc("helpermock_stored_conversations", "Conversations held in memory.", nil, nil)
	descEvicted       = prometheus.NewDesc("helpermock_evicted_conversations_total", "Conversations evicted to stay under the cap.", nil, nil)
	descPending       = prometheus.NewDesc("helpermock_pending_async_replies", "Background replies scheduled and not yet run.", nil, nil)
)

func (statsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descRequests, descDefaultSubj, descEscalations, descReactions, descChatFields,
		descAttachments, descAttachBytes, descSessions, descConversations, descStarted, descCompleted, descNoReply,
		descReplies, descReads, descRejections, descFaults, descInFlight, descQueued, descStored, descEvicted, descPending} {
		ch <- d
	}
}

func (c statsCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.s.Stats()
	counter := func(d *prometheus.Desc, v int64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	gauge := func(d *prometheus.Desc, v int64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(v))
	}
	for _, rt := range allRoutes {
		for code, n := range st.Routes[rt].Codes {
			counter(descRequests, n, string(rt), code)
		}
	}
	counter(descDefaultSubj, st.DefaultSubject)
	counter(descEscalations, st.Escalations)
	counter(descReactions, st.Reactions.ThumbsUp, "thumbs_up")
	counter(descReactions, st.Reactions.ThumbsDown, "thumbs_down")
	counter(descReactions, st.Reactions.Cleared, "cleared")
	counter(descChatFields, st.Chat.GuideEnabled, "guide_enabled")
	counter(descChatFields, st.Chat.ReadPageTool, "read_page_tool")
	counter(descChatFields, st.Chat.ToolsStored, "tools")
	counter(descChatFields, st.Chat.MailboxOverwrites, "customer_info_url")
	counter(descAttachments, st.Attachments.Files)
	counter(descAttachBytes, st.Attachments.Bytes)
	counter(descSessions, st.Sessions.Email, "email")
	counter(descSessions, st.Sessions.Anonymous, "anonymous")
	counter(descConversations, st.Conversations)
	counter(descStarted, st.Messages.StreamStarted, "stream")
	counter(descStarted, st.Messages.AsyncStarted, "async")
	counter(descCompleted, st.Messages.StreamCompleted, "stream")
	counter(descCompleted, st.Messages.AsyncReplied, "async")
	counter(descNoReply, st.Messages.AsyncNoReply)
	counter(descReplies, st.Replies.Model, "model")
	counter(descReplies, st.Replies.Cached, "cached")
	counter(descReplies, st.Replies.Human, "human")
	counter(descReplies, st.Replies.Empty, "empty")
	counter(descReads, st.Reads.Gets, "get")
	counter(descReads, st.Reads.MarkedRead, "marked_read")
	counter(descReads, st.Reads.Lists, "list")
	counter(descReads, st.Reads.Unread, "unread")
	rj := st.Rejections
	for _, r := range []struct {
		reason string
		v      int64
	}{{"bad_hmac", rj.BadHMAC}, {"stale_timestamp", rj.StaleTimestamp}, {"missing_fields", rj.MissingFields},
		{"invalid_request", rj.InvalidRequest}, {"invalid_attachment", rj.InvalidAttachment}, {"unknown_message", rj.UnknownMessage}, {"missing_token", rj.MissingToken}, {"bad_token", rj.BadToken},
		{"unknown_conversation", rj.UnknownConversation}, {"foreign_conversation", rj.ForeignConversation},
		{"blank_content", rj.BlankContent}, {"queue_full", rj.QueueFull}} {
		counter(descRejections, r.v, r.reason)
	}
	f := st.Faults
	for _, k := range []struct {
		kind string
		v    int64
	}{{"error_5xx", f.Error5xx}, {"rate_limited", f.RateLimited}, {"slow_headers", f.SlowHeaders},
		{"reset", f.Reset}, {"truncate", f.Truncate}, {"error_part", f.ErrorPart}, {"stall", f.Stall}} {
		counter(descFaults, k.v, k.kind)
	}
	gauge(descInFlight, st.InFlight)
	gauge(descQueued, st.Queued)
	gauge(descStored, st.Stored.Conversations)
	counter(descEvicted, st.Stored.Evicted)
	gauge(descPending, st.Stored.PendingAsync)
}
