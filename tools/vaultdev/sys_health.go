package main

import (
	"net/http"
)

// health answers GET sys/health as an initialised, unsealed, active Vault does (200). It needs
// no token, as in Vault.
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
	case http.MethodHead:
		w.WriteHeader(http.StatusOK)
		return
	default:
		respondError(w, http.StatusMethodNotAllowed, nil)
		return
	}
	respondJSON(w, http.StatusOK, map[string]any{
		"initialized":                       true,
		"sealed":                            false,
		"standby":                           false,
		"performance_standby":               false,
		"replication_performance_mode":      "disabled",
		"replication_dr_mode":               "disabled",
		"server_time_utc":                   s.clock.Now().Unix(),
		"version":                           vaultVersion,
		"enterprise":                        false,
		"cluster_name":                      s.clusterName,
		"cluster_id":                        s.clusterID,
		"echo_duration_ms":                  0,
		"clock_skew_ms":                     0,
		"replication_primary_canary_age_ms": 0,
	})
}
