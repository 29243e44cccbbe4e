using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Globalization;
using Handoff.Core.Allocation;

namespace Handoff.Operator;

/// <summary>
/// Binds <see cref="OperatorOptions"/> from command-line flags (System.CommandLine), then environment variables, then
/// defaults: a flag wins over its variable, a variable over the default.
/// </summary>
public static class OperatorOptionsBinder
{
    private static readonly OperatorOptions Defaults = new();

    private static readonly ParserConfiguration Parser = new()
    {
        // "@file" arguments are not expanded: the operator's arguments come from a manifest, never from files.
        ResponseFileTokenReplacer = null,
    };

    private static readonly Lazy<string> HelpText = new(() =>
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        CreateCommand().Parse(["--help"], Parser).Invoke(new InvocationConfiguration { Output = writer });
        return writer.ToString();
    });

    /// <summary>Every flag, in the order of <c>--help</c>.</summary>
    public static IReadOnlyList<OperatorOptionsFlag> Flags { get; } =
    [
        new()
        {
            Name = "--kubeconfig", ValueName = "PATH", EnvironmentVariables = ["KUBECONFIG"],
            Description = "Path of the kubeconfig file to reach the API server with.",
            Default = "in-cluster config, else ~/.kube/config",
            Apply = (o, v) => o with { Kubeconfig = v.Length == 0 ? null : v },
        },
        new()
        {
            Name = "--namespace", ValueName = "NAMESPACE", EnvironmentVariables = ["HANDOFF_NAMESPACE"],
            Description = "Namespace whose HandoffFunctions and pods are watched; empty = all namespaces.",
            Default = Show(Defaults.Namespace),
            Apply = (o, v) => o with { Namespace = v },
        },
        new()
        {
            Name = "--scheduler-name", ValueName = "NAME", EnvironmentVariables = ["HANDOFF_SCHEDULER_NAME"],
            Description = "schedulerName of the pods the operator creates and binds.",
            Default = Show(Defaults.SchedulerName),
            Apply = (o, v) => o with { SchedulerName = v },
        },
        new()
        {
            Name = "--default-strategy", ValueName = string.Join('|', Allocators.StrategyNames), EnvironmentVariables = ["HANDOFF_DEFAULT_STRATEGY"],
            Description = "Allocation strategy of the functions that name none.",
            Default = Show(Defaults.DefaultStrategy),
            Apply = (o, v) => o with { DefaultStrategy = v },
        },
        new()
        {
            Name = "--leader-elect", ValueName = "true|false", EnvironmentVariables = ["HANDOFF_LEADER_ELECT"], IsSwitch = true,
            Description = "Schedule only while holding the Lease, so that one of several replicas acts; bare, it means true.",
            Default = Show(Defaults.LeaderElect),
            Apply = (o, v) => o with { LeaderElect = ParseBool(v, "--leader-elect") },
        },
        new()
        {
            Name = "--lease-name", ValueName = "NAME", EnvironmentVariables = ["HANDOFF_LEASE_NAME"],
            Description = "Name of the leader-election Lease.",
            Default = Show(Defaults.LeaseName),
            Apply = (o, v) => o with { LeaseName = v },
        },
        new()
        {
            Name = "--lease-namespace", ValueName = "NAMESPACE", EnvironmentVariables = ["HANDOFF_LEASE_NAMESPACE", "POD_NAMESPACE"],
            Description = "Namespace of the leader-election Lease.",
            Default = Show(Defaults.LeaseNamespace),
            Apply = (o, v) => o with { LeaseNamespace = v },
        },
        new()
        {
            Name = "--lease-duration", ValueName = "DURATION", EnvironmentVariables = ["HANDOFF_LEASE_DURATION"],
            Description = "How long a standby waits after the last renewal it saw before taking the Lease (kube-scheduler's --leader-elect-lease-duration); a Go duration.",
            Default = Show(Defaults.LeaseDuration),
            Apply = (o, v) => o with { LeaseDuration = ParseDuration(v, "--lease-duration") },
        },
        new()
        {
            Name = "--renew-deadline", ValueName = "DURATION", EnvironmentVariables = ["HANDOFF_RENEW_DEADLINE"],
            Description = "How long the leader keeps trying to renew before it stops leading; it writes only while its last renewal is younger than this. Less than --lease-duration.",
            Default = Show(Defaults.RenewDeadline),
            Apply = (o, v) => o with { RenewDeadline = ParseDuration(v, "--renew-deadline") },
        },
        new()
        {
            Name = "--retry-period", ValueName = "DURATION", EnvironmentVariables = ["HANDOFF_RETRY_PERIOD"],
            Description = "How often candidates try to acquire and the leader to renew the Lease. --renew-deadline must exceed 1.2 times it.",
            Default = Show(Defaults.RetryPeriod),
            Apply = (o, v) => o with { RetryPeriod = ParseDuration(v, "--retry-period") },
        },
        new()
        {
            Name = "--metrics-address", ValueName = "HOST:PORT", EnvironmentVariables = ["HANDOFF_METRICS_ADDRESS"],
            Description = "Address serving /metrics (host: an IP address or localhost); empty = not served.",
            Default = Show(Defaults.MetricsAddress),
            Apply = (o, v) => o with { MetricsAddress = v },
        },
        new()
        {
            Name = "--metrics-secure", ValueName = "true|false", EnvironmentVariables = ["HANDOFF_METRICS_SECURE"], IsSwitch = true,
            Description = "Serve /metrics over HTTPS to scrapers whose bearer token the API server authenticates (TokenReview) and authorizes for get on /metrics (SubjectAccessReview); false = plain HTTP without authentication, for local use.",
            Default = Show(Defaults.MetricsSecure),
            Apply = (o, v) => o with { MetricsSecure = ParseBool(v, "--metrics-secure") },
        },
        new()
        {
            Name = "--metrics-cert-path", ValueName = "DIR", EnvironmentVariables = ["HANDOFF_METRICS_CERT_PATH"],
            Description = "Directory of the HTTPS metrics endpoint's PEM certificate and key (e.g. a mounted Secret), re-read when they change; empty = a self-signed certificate made at start.",
            Default = Show(Defaults.MetricsCertPath),
            Apply = (o, v) => o with { MetricsCertPath = v },
        },
        new()
        {
            Name = "--metrics-cert-name", ValueName = "FILE", EnvironmentVariables = ["HANDOFF_METRICS_CERT_NAME"],
            Description = "File name of the certificate (chain) in --metrics-cert-path.",
            Default = Show(Defaults.MetricsCertName),
            Apply = (o, v) => o with { MetricsCertName = v },
        },
        new()
        {
            Name = "--metrics-cert-key", ValueName = "FILE", EnvironmentVariables = ["HANDOFF_METRICS_CERT_KEY"],
            Description = "File name of the private key in --metrics-cert-path.",
            Default = Show(Defaults.MetricsCertKey),
            Apply = (o, v) => o with { MetricsCertKey = v },
        },
        new()
        {
            Name = "--probe-address", ValueName = "HOST:PORT", EnvironmentVariables = ["HANDOFF_PROBE_ADDRESS"],
            Description = "Address serving /healthz and /readyz (host: an IP address or localhost); empty = not served.",
            Default = Show(Defaults.ProbeAddress),
            Apply = (o, v) => o with { ProbeAddress = v },
        },
        new()
        {
            Name = "--log-level", ValueName = "LEVEL", EnvironmentVariables = ["HANDOFF_LOG_LEVEL"],
            Description = $"Lowest level of the JSON log lines written to stdout: {string.Join(", ", OperatorOptions.LogLevelNames)}.",
            Default = Show(Defaults.LogLevel),
            Apply = (o, v) => o with { LogLevel = v },
        },
        new()
        {
            Name = "--scheduled-events", ValueName = "true|false", EnvironmentVariables = ["HANDOFF_SCHEDULED_EVENTS"], IsSwitch = true,
            Description = "Record a Normal Scheduled Event for every bound function (a fourth API write per function); bare, it means true.",
            Default = Show(Defaults.ScheduledEvents),
            Apply = (o, v) => o with { ScheduledEvents = ParseBool(v, "--scheduled-events") },
        },
        new()
        {
            Name = "--discover-nodes", ValueName = "true|false", EnvironmentVariables = ["HANDOFF_DISCOVER_NODES"], IsSwitch = true,
            Description = "Keep one HandoffNode (capacityFrom: Node, same name and labels, owned by the Node) for every Node matching --discover-nodes-selector; bare, it means true.",
            Default = Show(Defaults.DiscoverNodes),
            Apply = (o, v) => o with { DiscoverNodes = ParseBool(v, "--discover-nodes") },
        },
        new()
        {
            Name = "--discover-nodes-selector", ValueName = "SELECTOR", EnvironmentVariables = ["HANDOFF_DISCOVER_NODES_SELECTOR"],
            Description = "Label selector of the Nodes --discover-nodes covers (kubectl's -l syntax); empty = every Node.",
            Default = Show(Defaults.DiscoverNodesSelector),
            Apply = (o, v) => o with { DiscoverNodesSelector = v },
        },
        new()
        {
            Name = "--default-pod-gc", ValueName = string.Join('|', OperatorOptions.PodGCPolicyNames), EnvironmentVariables = ["HANDOFF_DEFAULT_POD_GC"],
            Description = "spec.podGC of the functions that set none: when a finished function's pods are deleted (its result stays in its status).",
            Default = Show(Defaults.DefaultPodGC),
            Apply = (o, v) => o with { DefaultPodGC = v },
        },
        new()
        {
            Name = "--default-ttl-seconds-after-finished", ValueName = "SECONDS", EnvironmentVariables = ["HANDOFF_DEFAULT_TTL_SECONDS_AFTER_FINISHED"],
            Description = "spec.ttlSecondsAfterFinished of the functions that set none: a finished function is deleted this long after it finished, once no unfinished function needs its result; empty = kept.",
            Default = "\"\" (kept)",
            Apply = (o, v) => o with { DefaultTtlSecondsAfterFinished = ParseSeconds(v, "--default-ttl-seconds-after-finished") },
        },
        new()
        {
            Name = "--list-page-size", ValueName = "N", EnvironmentVariables = ["HANDOFF_LIST_PAGE_SIZE"],
            Description = "Objects per request when the informers list (limit and continue, as client-go's pager); each page is trimmed as it arrives, so a restart holds one page of whole objects at a time; 0 = one unpaged request per list.",
            Default = Defaults.ListPageSize.ToString(CultureInfo.InvariantCulture),
            Apply = (o, v) => o with { ListPageSize = ParseCount(v, "--list-page-size") },
        },
        new()
        {
            Name = "--api-parallelism", ValueName = "N", EnvironmentVariables = ["HANDOFF_API_PARALLELISM"],
            Description = "API calls a pass makes at once (pod creates, bindings, deletions, Events), with a quarter as many status writes beside them; at least 1.",
            Default = Defaults.ApiParallelism.ToString(CultureInfo.InvariantCulture),
            Apply = (o, v) => o with { ApiParallelism = ParseCount(v, "--api-parallelism", minimum: 1) },
        },
        new()
        {
            Name = "--idle-memory-trim", ValueName = "DURATION", EnvironmentVariables = ["HANDOFF_IDLE_MEMORY_TRIM"],
            Description = "After this long without a watch event or a pass, one full garbage collection gives back the memory the last burst grew the heap to (only when enough was allocated since the last); 0s = never.",
            Default = Show(Defaults.IdleMemoryTrim),
            Apply = (o, v) => o with { IdleMemoryTrim = ParseDuration(v, "--idle-memory-trim", allowZero: true) },
        },
        new()
        {
            Name = "--min-pass-interval", ValueName = "DURATION", EnvironmentVariables = ["HANDOFF_MIN_PASS_INTERVAL"],
            Description = "The least time from one pass's start to the next's: while changes keep coming, a pass takes in all that came during the wait instead of running again for each few; 0s = back to back.",
            Default = Show(Defaults.MinPassInterval),
            Apply = (o, v) => o with { MinPassInterval = ParseDuration(v, "--min-pass-interval", allowZero: true) },
        },
    ];

    /// <summary>The usage, exactly as <c>--help</c> prints it (also printed after an error).</summary>
    public static string Usage => HelpText.Value;

    /// <summary>The operator's command line: one System.CommandLine option per flag, plus --help and --version.</summary>
    public static Command CreateCommand()
    {
        // Named here rather than after the running executable (RootCommand's way), so the usage is the same in tests.
        var command = new Command(
            "Handoff.Operator",
            "The Handoff operator: places HandoffFunctions on HandoffNodes and binds their pods. Each flag can also be " +
            "set by its environment variable; a flag wins over its variable, a variable over the default. The Lease " +
            "holder identity is POD_NAME (else the host name) with a random suffix, unique per process.")
        {
            new HelpOption(),
            new VersionOption(),
        };
        foreach (var flag in Flags)
        {
            command.Options.Add(new Option<string>(flag.Name)
            {
                Description = flag.HelpText,
                HelpName = flag.ValueName,
                Arity = flag.IsSwitch ? ArgumentArity.ZeroOrOne : ArgumentArity.ExactlyOne,
            });
        }

        return command;
    }

    /// <summary>
    /// Parses <paramref name="args"/>. The result's <see cref="ParseResult.Action"/> is set for --help and --version
    /// (invoke it: it prints and returns 0); pass the result to <see cref="Bind(ParseResult, Func{string, string?})"/>
    /// otherwise.
    /// </summary>
    public static ParseResult Parse(IReadOnlyList<string> args) => CreateCommand().Parse(SplitEmptyValues(args), Parser);

    /// <summary>
    /// Flags win over environment variables, which win over defaults. Throws <see cref="OperatorOptionsException"/>
    /// naming the flag or variable at fault.
    /// </summary>
    public static OperatorOptions Bind(IReadOnlyList<string> args, Func<string, string?> environment) =>
        Bind(Parse(args), environment);

    /// <inheritdoc cref="Bind(IReadOnlyList{string}, Func{string, string?})"/>
    public static OperatorOptions Bind(ParseResult parsed, Func<string, string?> environment)
    {
        if (parsed.Errors.Count > 0)
        {
            throw new OperatorOptionsException(string.Join('\n', parsed.Errors.Select(e => e.Message)));
        }

        var options = new OperatorOptions
        {
            // Unique per process, as client-go's examples make it: two replicas on one host (or a restarted one) never
            // share an identity, so neither can renew the other's lease.
            Identity = (NonEmpty(environment("POD_NAME")) ?? NonEmpty(environment("HOSTNAME")) ?? Environment.MachineName)
                + "_" + Guid.NewGuid().ToString("N")[..8],
        };
        var fromVariable = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            foreach (var flag in Flags)
            {
                if (parsed.GetResult(flag.Name) is OptionResult given)
                {
                    options = flag.Apply(options, given.Tokens.Count == 0 ? "true" : given.Tokens[0].Value);
                }
                else if (FromEnvironment(flag, environment) is var (variable, value))
                {
                    fromVariable[flag.Name] = variable;
                    options = flag.Apply(options, value);
                }
            }

            options.Validate();
            return options;
        }
        catch (OperatorOptionsException ex) when (ex.Flag is { } flag && fromVariable.TryGetValue(flag, out var variable))
        {
            throw new OperatorOptionsException($"{ex.Message} (set by the environment variable {variable})", flag);
        }
    }

    /// <summary>
    /// The flag's own variable counts when set, even to "" (<c>HANDOFF_METRICS_ADDRESS=</c> serves no metrics); a
    /// fallback after it (<c>POD_NAMESPACE</c>, from the downward API) only when not empty.
    /// </summary>
    private static (string Variable, string Value)? FromEnvironment(OperatorOptionsFlag flag, Func<string, string?> environment)
    {
        for (var i = 0; i < flag.EnvironmentVariables.Count; i++)
        {
            var variable = flag.EnvironmentVariables[i];
            if (environment(variable) is { } value && (i == 0 || value.Length > 0))
            {
                return (variable, value);
            }
        }

        return null;
    }

    /// <summary>
    /// System.CommandLine reads <c>--flag=</c> as a flag without its value; the chart renders exactly that for an
    /// empty value (<c>--namespace=</c>: all namespaces), so it is passed on as <c>--flag ""</c>.
    /// </summary>
    private static string[] SplitEmptyValues(IReadOnlyList<string> args) =>
        [.. args.SelectMany(a => a.EndsWith('=') && Flags.Any(f => a.Length == f.Name.Length + 1 && a.StartsWith(f.Name, StringComparison.Ordinal))
            ? new[] { a[..^1], "" }
            : [a])];

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string Show(string value) => value.Length == 0 ? "\"\"" : value;

    private static string Show(bool value) => value ? "true" : "false";

    private static string Show(TimeSpan value) =>
        value > TimeSpan.Zero && value < TimeSpan.FromSeconds(1)
            ? value.TotalMilliseconds.ToString(CultureInfo.InvariantCulture) + "ms"
            : value.TotalSeconds.ToString(CultureInfo.InvariantCulture) + "s";

    private static TimeSpan ParseDuration(string value, string flag, bool allowZero = false) =>
        Api.GoDuration.TryParse(value, out var duration) && (duration > TimeSpan.Zero || (allowZero && duration == TimeSpan.Zero))
            ? duration
            : throw new OperatorOptionsException(
                $"{flag}: '{value}' is not a {(allowZero ? "duration" : "positive duration")} (examples: 15s, 1500ms, 1m{(allowZero ? ", 0s" : "")})", flag);

    private static int? ParseSeconds(string value, string flag) =>
        value.Length == 0 ? null
        : int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? seconds
        : throw new OperatorOptionsException($"{flag}: '{value}' is not a whole number of seconds (0 to {int.MaxValue}) or empty", flag);

    private static int ParseCount(string value, string flag, int minimum = 0) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count >= minimum
            ? count
            : throw new OperatorOptionsException($"{flag}: '{value}' is not a whole number ({minimum} to {int.MaxValue})", flag);

    private static bool ParseBool(string value, string flag) =>
        value.ToLower(CultureInfo.InvariantCulture) switch
        {
            "true" or "1" or "yes" => true,
            "false" or "0" or "no" or "" => false,
            _ => throw new OperatorOptionsException($"{flag}: '{value}' is not true or false", flag),
        };
}
