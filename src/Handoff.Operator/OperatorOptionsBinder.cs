using System.Globalization;

namespace Handoff.Operator;

/// <summary>Binds <see cref="OperatorOptions"/> from command-line flags, then environment variables, then defaults.</summary>
public static class OperatorOptionsBinder
{
    private sealed record Flag(string Name, string Env, Func<OperatorOptions, string, OperatorOptions> Apply)
    {
        /// <summary>A boolean flag: given bare (<c>--leader-elect</c>) it means true.</summary>
        public bool IsSwitch { get; init; }
    }

    private static readonly Flag[] Flags =
    [
        new("--kubeconfig", "KUBECONFIG", (o, v) => o with { Kubeconfig = v.Length == 0 ? null : v }),
        new("--namespace", "HANDOFF_NAMESPACE", (o, v) => o with { Namespace = v }),
        new("--scheduler-name", "HANDOFF_SCHEDULER_NAME", (o, v) => o with { SchedulerName = v }),
        new("--default-strategy", "HANDOFF_DEFAULT_STRATEGY", (o, v) => o with { DefaultStrategy = v }),
        new("--leader-elect", "HANDOFF_LEADER_ELECT", (o, v) => o with { LeaderElect = ParseBool(v, "--leader-elect") }) { IsSwitch = true },
        new("--lease-name", "HANDOFF_LEASE_NAME", (o, v) => o with { LeaseName = v }),
        new("--lease-namespace", "HANDOFF_LEASE_NAMESPACE", (o, v) => o with { LeaseNamespace = v }),
        new("--metrics-address", "HANDOFF_METRICS_ADDRESS", (o, v) => o with { MetricsAddress = v }),
        new("--probe-address", "HANDOFF_PROBE_ADDRESS", (o, v) => o with { ProbeAddress = v }),
        new("--log-level", "HANDOFF_LOG_LEVEL", (o, v) => o with { LogLevel = v }),
        new("--scheduled-events", "HANDOFF_SCHEDULED_EVENTS", (o, v) => o with { ScheduledEvents = ParseBool(v, "--scheduled-events") }) { IsSwitch = true },
    ];

    /// <summary>The usage text printed for --help and on errors.</summary>
    public static string Usage { get; } =
        "Usage: Handoff.Operator [flags]\n" + string.Concat(Flags.Select(f => $"  {f.Name,-20} (env {f.Env})\n"));

    /// <summary>Flags win over environment variables, which win over defaults. Throws <see cref="OperatorOptionsException"/>.</summary>
    public static OperatorOptions Bind(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        var hostName = environment("HOSTNAME");
        var options = new OperatorOptions
        {
            LeaseNamespace = NonEmpty(environment("POD_NAMESPACE")) ?? "default",
            // Unique per process, as client-go's examples make it: two replicas on one host (or a restarted one) never
            // share an identity, so neither can renew the other's lease.
            Identity = (NonEmpty(environment("POD_NAME")) ?? NonEmpty(hostName) ?? Environment.MachineName) + "_" + Guid.NewGuid().ToString("N")[..8],
        };

        foreach (var flag in Flags)
        {
            var value = environment(flag.Env);
            if (value is not null)
            {
                options = flag.Apply(options, value);
            }
        }

        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string name;
            string? value = null;
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                name = arg[..eq];
                value = arg[(eq + 1)..];
            }
            else
            {
                name = arg;
            }

            var flag = Flags.FirstOrDefault(f => f.Name == name)
                ?? throw new OperatorOptionsException($"unknown flag '{arg}'\n{Usage}");
            if (value is null)
            {
                if (flag.IsSwitch && (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal)))
                {
                    value = "true";
                }
                else if (i + 1 < args.Count)
                {
                    value = args[++i];
                }
                else
                {
                    throw new OperatorOptionsException($"flag {flag.Name} needs a value\n{Usage}");
                }
            }

            options = flag.Apply(options, value);
        }

        options.Validate();
        return options;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static bool ParseBool(string value, string flag) =>
        value.ToLower(CultureInfo.InvariantCulture) switch
        {
            "true" or "1" or "yes" => true,
            "false" or "0" or "no" or "" => false,
            _ => throw new OperatorOptionsException($"{flag}: '{value}' is not true or false"),
        };
}
