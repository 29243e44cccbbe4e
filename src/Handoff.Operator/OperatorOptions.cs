using System.Globalization;
using System.Net;
using Handoff.Api.V1Alpha1;
using Handoff.Core.Allocation;

namespace Handoff.Operator;

/// <summary>The operator's configuration: one property per flag of the operator contract, plus tuning knobs for tests.</summary>
public sealed record OperatorOptions
{
    /// <summary>Path of a kubeconfig; null = in-cluster if available, else ~/.kube/config.</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>Namespace whose HandoffFunctions (and pods) are watched; empty = all namespaces.</summary>
    public string Namespace { get; init; } = "";

    public string SchedulerName { get; init; } = HandoffApi.DefaultSchedulerName;

    public string DefaultStrategy { get; init; } = nameof(AllocationStrategy.FirstAvailable);

    public bool LeaderElect { get; init; }

    public string LeaseName { get; init; } = "handoff-operator";

    public string LeaseNamespace { get; init; } = "default";

    /// <summary>Identity in the lease (env POD_NAME, default: host name).</summary>
    public string Identity { get; init; } = Environment.MachineName;

    /// <summary>HOST:PORT serving /metrics; empty = not served (in-process use).</summary>
    public string MetricsAddress { get; init; } = "0.0.0.0:8080";

    /// <summary>
    /// Serve /metrics over HTTPS to scrapers the API server authenticates (TokenReview) and authorizes for <c>get</c> on
    /// the path (SubjectAccessReview); false = plain HTTP without authentication (local use).
    /// </summary>
    public bool MetricsSecure { get; init; } = true;

    /// <summary>
    /// Directory holding the metrics endpoint's PEM certificate and key (a mounted Secret, kubebuilder's
    /// <c>--metrics-cert-path</c>); empty = a self-signed certificate made at start.
    /// </summary>
    public string MetricsCertPath { get; init; } = "";

    /// <summary>File name of the certificate (chain) in <see cref="MetricsCertPath"/>.</summary>
    public string MetricsCertName { get; init; } = "tls.crt";

    /// <summary>File name of the private key in <see cref="MetricsCertPath"/>.</summary>
    public string MetricsCertKey { get; init; } = "tls.key";

    /// <summary>HOST:PORT serving /healthz and /readyz; empty = not served (in-process use).</summary>
    public string ProbeAddress { get; init; } = "0.0.0.0:8081";

    public string LogLevel { get; init; } = "Information";

    /// <summary>
    /// Record a Normal <c>Scheduled</c> Event for every bound function. Off by default: the <c>Scheduled</c> condition
    /// already says where and when, and the Event would be a fourth API write per function (docs/operator.md).
    /// Warning Events (FailedScheduling, DependencyFailed, …) are always recorded.
    /// </summary>
    public bool ScheduledEvents { get; init; }

    /// <summary>Keep one HandoffNode with <c>capacityFrom: Node</c> for every Node matching <see cref="DiscoverNodesSelector"/>.</summary>
    public bool DiscoverNodes { get; init; }

    /// <summary>Label selector (kubectl syntax) of the Nodes discovery covers; empty = every Node.</summary>
    public string DiscoverNodesSelector { get; init; } = "";

    /// <summary><c>spec.podGC</c> of the functions that set none: Never, OnSuccess or OnCompletion.</summary>
    public string DefaultPodGC { get; init; } = PodGCPolicies.Never;

    /// <summary><c>spec.ttlSecondsAfterFinished</c> of the functions that set none; null = finished functions are kept.</summary>
    public int? DefaultTtlSecondsAfterFinished { get; init; }

    /// <summary>Lease timings (--lease-duration, --renew-deadline, --retry-period; client-go's defaults are 15 s / 10 s / 2 s).</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Objects per request of the informers' lists (<c>limit</c>, then <c>continue</c>; client-go's pager default 500);
    /// 0 = one unpaged request per list. Each page is trimmed as soon as it is decoded, so a (re)start holds one page of
    /// whole objects, not the whole cluster's.
    /// </summary>
    public int ListPageSize { get; init; } = Infrastructure.ListPager.DefaultPageSize;

    /// <summary>
    /// API calls a pass makes at once: pod creates and bindings (and deletions, Events), with a quarter as many status
    /// writes beside them (placements first; each status follows its binding). 64 measured best on the end-to-end
    /// burst (docs/performance.md); a real API server queues what exceeds the operator's share under API Priority and
    /// Fairness, so lower it where that share is small.
    /// </summary>
    public int ApiParallelism { get; init; } = 64;

    /// <summary>How often every cached object is re-reconciled even without events.</summary>
    public TimeSpan ResyncPeriod { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Server-side timeout of each watch request; the watch is then renewed from the last resourceVersion. Below the
    /// KubernetesClient's default 100 s request timeout, so a quiet watch ends cleanly instead of being cancelled.
    /// </summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Back-off after a failed attempt: initial value, doubled per further failure, capped.</summary>
    public TimeSpan RetryBackoffInitial { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryBackoffMax { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// After this long without a watch event or a pass, one aggressive full collection gives the memory of the last
    /// burst back (<see cref="Infrastructure.IdleMemoryTrim"/>); zero = never. Hosts that share their process with other
    /// work (the sandbox, tests) turn it off: the process's allocations are then not the operator's.
    /// </summary>
    public TimeSpan IdleMemoryTrim { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The least time from one pass's start to the next's (<see cref="Infrastructure.PassSpacing"/>); zero = a pass starts
    /// as soon as the last ended and something changed. While events keep coming (a steady stream) passes otherwise run
    /// back to back, each over the whole cluster's state for the few objects that changed since the last.
    /// </summary>
    public TimeSpan MinPassInterval { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Parsed log level (validated by <see cref="Validate"/>).</summary>
    public Microsoft.Extensions.Logging.LogLevel ParsedLogLevel =>
        Enum.Parse<Microsoft.Extensions.Logging.LogLevel>(LogLevel, ignoreCase: true);

    /// <summary>Throws <see cref="OperatorOptionsException"/> with a clear message when a value is invalid.</summary>
    public void Validate()
    {
        try
        {
            Core.Nodes.LabelSelectorParser.Parse(DiscoverNodesSelector);
        }
        catch (FormatException ex)
        {
            throw new OperatorOptionsException($"--discover-nodes-selector: {ex.Message}", "--discover-nodes-selector");
        }

        if (!Allocators.TryParseStrategy(DefaultStrategy, out _))
        {
            throw new OperatorOptionsException(
                $"--default-strategy: '{DefaultStrategy}' is not one of {string.Join(", ", Allocators.StrategyNames)}", "--default-strategy");
        }

        if (!PodGCPolicyNames.Contains(DefaultPodGC, StringComparer.Ordinal))
        {
            throw new OperatorOptionsException(
                $"--default-pod-gc: '{DefaultPodGC}' is not one of {string.Join(", ", PodGCPolicyNames)}", "--default-pod-gc");
        }

        if (DefaultTtlSecondsAfterFinished < 0)
        {
            throw new OperatorOptionsException(
                $"--default-ttl-seconds-after-finished: {DefaultTtlSecondsAfterFinished} is negative", "--default-ttl-seconds-after-finished");
        }

        if (IdleMemoryTrim < TimeSpan.Zero)
        {
            throw new OperatorOptionsException($"--idle-memory-trim: {IdleMemoryTrim} is negative", "--idle-memory-trim");
        }

        if (MinPassInterval < TimeSpan.Zero)
        {
            throw new OperatorOptionsException($"--min-pass-interval: {MinPassInterval} is negative", "--min-pass-interval");
        }

        if (string.IsNullOrWhiteSpace(SchedulerName))
        {
            throw new OperatorOptionsException("--scheduler-name must not be empty", "--scheduler-name");
        }

        if (LeaderElect && string.IsNullOrWhiteSpace(LeaseName))
        {
            throw new OperatorOptionsException("--lease-name must not be empty with --leader-elect", "--lease-name");
        }

        if (LeaderElect && string.IsNullOrWhiteSpace(LeaseNamespace))
        {
            throw new OperatorOptionsException("--lease-namespace must not be empty with --leader-elect", "--lease-namespace");
        }

        if (!Enum.TryParse<Microsoft.Extensions.Logging.LogLevel>(LogLevel, ignoreCase: true, out _) ||
            int.TryParse(LogLevel, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
        {
            throw new OperatorOptionsException(
                $"--log-level: '{LogLevel}' is not one of {string.Join(", ", LogLevelNames)}", "--log-level");
        }

        // client-go's rules (leaderelection.NewLeaderElector): a lease outlives the leader's renew deadline, and the
        // deadline leaves room for a jittered retry (JitterFactor 1.2). Checked, as kube-scheduler does, only when used.
        if (LeaderElect && LeaseDuration <= RenewDeadline)
        {
            throw new OperatorOptionsException(
                $"--lease-duration ({LeaseDuration.TotalSeconds:0.###}s) must be greater than --renew-deadline ({RenewDeadline.TotalSeconds:0.###}s)", "--lease-duration");
        }

        if (LeaderElect && RenewDeadline.Ticks <= RetryPeriod.Ticks * 1.2)
        {
            throw new OperatorOptionsException(
                $"--renew-deadline ({RenewDeadline.TotalSeconds:0.###}s) must be greater than 1.2 times --retry-period ({RetryPeriod.TotalSeconds:0.###}s)", "--renew-deadline");
        }


        var metrics = ParseAddress(MetricsAddress, "--metrics-address");
        var probe = ParseAddress(ProbeAddress, "--probe-address");
        if (!MetricsSecure && MetricsCertPath.Length > 0)
        {
            throw new OperatorOptionsException("--metrics-cert-path applies only with --metrics-secure=true", "--metrics-cert-path");
        }

        if (MetricsCertName.Length == 0 || MetricsCertKey.Length == 0)
        {
            throw new OperatorOptionsException("--metrics-cert-name and --metrics-cert-key must not be empty", MetricsCertName.Length == 0 ? "--metrics-cert-name" : "--metrics-cert-key");
        }

        if (MetricsSecure && metrics is not null && metrics == probe)
        {
            throw new OperatorOptionsException(
                "--metrics-address and --probe-address must differ when --metrics-secure is true: the probes are plain HTTP and unauthenticated", "--metrics-address");
        }
    }

    /// <summary>The values of <c>spec.podGC</c> (and <see cref="DefaultPodGC"/>).</summary>
    public static IReadOnlyList<string> PodGCPolicyNames { get; } = [PodGCPolicies.Never, PodGCPolicies.OnSuccess, PodGCPolicies.OnCompletion];

    /// <summary>The names <see cref="LogLevel"/> accepts (case-insensitive).</summary>
    public static IReadOnlyList<string> LogLevelNames { get; } = Enum.GetNames<Microsoft.Extensions.Logging.LogLevel>();

    /// <summary>
    /// Parses HOST:PORT ("0.0.0.0:8080", "[::]:8080", "localhost:0"; host "", "*" or "+" = every address); empty =
    /// disabled (null). The host must be an IP address or localhost: Kestrel binds addresses, not names.
    /// </summary>
    public static (string Host, int Port)? ParseAddress(string address, string flag)
    {
        if (string.IsNullOrEmpty(address))
        {
            return null;
        }

        var colon = address.LastIndexOf(':');
        if (colon <= 0 || colon == address.Length - 1 ||
            !int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) ||
            port > 65535)
        {
            throw new OperatorOptionsException($"{flag}: '{address}' is not HOST:PORT", flag);
        }

        var host = address[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        if (host is not ("" or "*" or "+" or "localhost") && !IPAddress.TryParse(host, out _))
        {
            throw new OperatorOptionsException($"{flag}: '{host}' in '{address}' is not an IP address or localhost", flag);
        }

        return (host, port);
    }
}
