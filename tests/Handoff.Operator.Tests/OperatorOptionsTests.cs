namespace Handoff.Operator.Tests;

public sealed class OperatorOptionsTests
{
    /// <summary>
    /// Every flag with its variable, a value other than its default, and the option it sets. A flag added to the binder
    /// without a row here fails <see cref="Every_flag_of_the_binder_is_covered_here"/>.
    /// </summary>
    private static readonly (string Flag, string Variable, string Value, string Property)[] Rows =
    [
        ("--kubeconfig", "KUBECONFIG", "/etc/kube/config", "Kubeconfig"),
        ("--namespace", "HANDOFF_NAMESPACE", "team-a", "Namespace"),
        ("--scheduler-name", "HANDOFF_SCHEDULER_NAME", "handoff-2", "SchedulerName"),
        ("--default-strategy", "HANDOFF_DEFAULT_STRATEGY", "BestFit", "DefaultStrategy"),
        ("--leader-elect", "HANDOFF_LEADER_ELECT", "true", "LeaderElect"),
        ("--lease-name", "HANDOFF_LEASE_NAME", "my-lease", "LeaseName"),
        ("--lease-namespace", "HANDOFF_LEASE_NAMESPACE", "handoff-system", "LeaseNamespace"),
        ("--lease-duration", "HANDOFF_LEASE_DURATION", "30s", "LeaseDuration"),
        ("--renew-deadline", "HANDOFF_RENEW_DEADLINE", "12s", "RenewDeadline"),
        ("--retry-period", "HANDOFF_RETRY_PERIOD", "5s", "RetryPeriod"),
        ("--metrics-address", "HANDOFF_METRICS_ADDRESS", "127.0.0.1:9090", "MetricsAddress"),
        ("--metrics-secure", "HANDOFF_METRICS_SECURE", "false", "MetricsSecure"),
        ("--metrics-cert-path", "HANDOFF_METRICS_CERT_PATH", "/etc/handoff/metrics-tls", "MetricsCertPath"),
        ("--metrics-cert-name", "HANDOFF_METRICS_CERT_NAME", "cert.pem", "MetricsCertName"),
        ("--metrics-cert-key", "HANDOFF_METRICS_CERT_KEY", "key.pem", "MetricsCertKey"),
        ("--probe-address", "HANDOFF_PROBE_ADDRESS", "[::1]:9091", "ProbeAddress"),
        ("--log-level", "HANDOFF_LOG_LEVEL", "Debug", "LogLevel"),
        ("--scheduled-events", "HANDOFF_SCHEDULED_EVENTS", "true", "ScheduledEvents"),
        ("--discover-nodes", "HANDOFF_DISCOVER_NODES", "true", "DiscoverNodes"),
        ("--discover-nodes-selector", "HANDOFF_DISCOVER_NODES_SELECTOR", "pool=batch", "DiscoverNodesSelector"),
        ("--default-pod-gc", "HANDOFF_DEFAULT_POD_GC", "OnCompletion", "DefaultPodGC"),
        ("--default-ttl-seconds-after-finished", "HANDOFF_DEFAULT_TTL_SECONDS_AFTER_FINISHED", "3600", "DefaultTtlSecondsAfterFinished"),
        ("--list-page-size", "HANDOFF_LIST_PAGE_SIZE", "0", "ListPageSize"),
        ("--api-parallelism", "HANDOFF_API_PARALLELISM", "8", "ApiParallelism"),
        ("--idle-memory-trim", "HANDOFF_IDLE_MEMORY_TRIM", "0s", "IdleMemoryTrim"),
        ("--min-pass-interval", "HANDOFF_MIN_PASS_INTERVAL", "0s", "MinPassInterval"),
    ];

    public static TheoryData<string, string, string, string> Values()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var (flag, variable, value, property) in Rows)
        {
            data.Add(flag, variable, value, property);
        }

        return data;
    }

    private static Func<string, string?> Env(params (string Key, string Value)[] values)
    {
        var map = values.ToDictionary(v => v.Key, v => (string?)v.Value, StringComparer.Ordinal);
        return key => map.GetValueOrDefault(key);
    }

    private static string Property(OperatorOptions options, string property) =>
        typeof(OperatorOptions).GetProperty(property)!.GetValue(options) switch
        {
            bool b => b ? "true" : "false",
            TimeSpan t => t.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) + "s",
            int i => i.ToString(System.Globalization.CultureInfo.InvariantCulture),
            var v => (string?)v ?? "<null>",
        };

    [Fact]
    public void Defaults_match_the_contract()
    {
        var o = OperatorOptionsBinder.Bind([], Env(("HOSTNAME", "host-1")));
        Assert.Null(o.Kubeconfig);
        Assert.Equal("", o.Namespace);
        Assert.Equal("handoff", o.SchedulerName);
        Assert.Equal("FirstAvailable", o.DefaultStrategy);
        Assert.False(o.LeaderElect);
        Assert.Equal("handoff-operator", o.LeaseName);
        Assert.Equal("default", o.LeaseNamespace);
        Assert.Equal("0.0.0.0:8080", o.MetricsAddress);
        Assert.Equal("0.0.0.0:8081", o.ProbeAddress);
        Assert.Equal("Information", o.LogLevel);
        Assert.False(o.ScheduledEvents);
        Assert.Equal((TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2)), (o.LeaseDuration, o.RenewDeadline, o.RetryPeriod));
        // Unique per process (client-go's examples add a UUID): two operators on one host never share a lease identity.
        Assert.Equal("Never", o.DefaultPodGC);
        Assert.Null(o.DefaultTtlSecondsAfterFinished);
        Assert.Matches("^host-1_[0-9a-f]{8}$", o.Identity);
        Assert.NotEqual(o.Identity, OperatorOptionsBinder.Bind([], Env(("HOSTNAME", "host-1"))).Identity);
        Assert.Matches("^pod-7_[0-9a-f]{8}$", OperatorOptionsBinder.Bind([], Env(("POD_NAME", "pod-7"), ("HOSTNAME", "host-1"))).Identity);
    }

    [Fact]
    public void Every_flag_of_the_binder_is_covered_here()
    {
        Assert.Equal(OperatorOptionsBinder.Flags.Select(f => f.Name), Rows.Select(r => r.Flag));
        Assert.Equal(OperatorOptionsBinder.Flags.Select(f => f.EnvironmentVariables[0]), Rows.Select(r => r.Variable));
        var defaults = OperatorOptionsBinder.Bind([], Env());
        Assert.All(Rows, r => Assert.NotEqual(r.Value, Property(defaults, r.Property)));
    }

    [Theory]
    [MemberData(nameof(Values))]
    public void Each_flag_sets_its_option_in_both_spellings(string flag, string variable, string value, string property)
    {
        _ = variable;
        Assert.Equal(value, Property(OperatorOptionsBinder.Bind([flag, value], Env()), property));
        Assert.Equal(value, Property(OperatorOptionsBinder.Bind([$"{flag}={value}"], Env()), property));
    }

    [Theory]
    [MemberData(nameof(Values))]
    public void Each_variable_sets_its_option(string flag, string variable, string value, string property)
    {
        _ = flag;
        Assert.Equal(value, Property(OperatorOptionsBinder.Bind([], Env((variable, value))), property));
    }

    [Theory]
    [MemberData(nameof(Values))]
    public void A_flag_wins_over_its_variable_and_a_variable_over_the_default(string flag, string variable, string value, string property)
    {
        // Three different values: the default, the variable's, the flag's (a switch's default is false, so its variable says true).
        var (fromVariable, fromFlag) = flag switch
        {
            "--leader-elect" or "--scheduled-events" or "--discover-nodes" => ("true", "false"),
            "--metrics-secure" => ("false", "true"),
            "--default-strategy" => ("LoadBalanced", value),
            "--metrics-address" or "--probe-address" => ("127.0.0.1:7000", value),
            "--log-level" => ("Warning", value),
            "--lease-duration" or "--renew-deadline" or "--retry-period" => ("3s", value),
            "--default-pod-gc" => ("OnSuccess", value),
            "--default-ttl-seconds-after-finished" => ("60", value),
            "--list-page-size" => ("100", value),
            "--api-parallelism" => ("16", value),
            "--idle-memory-trim" => ("60s", value),
            "--min-pass-interval" => ("1s", value),
            _ => ("from-env", value),
        };
        Assert.NotEqual(Property(OperatorOptionsBinder.Bind([], Env()), property), fromVariable);
        Assert.Equal(fromVariable, Property(OperatorOptionsBinder.Bind([], Env((variable, fromVariable))), property));
        Assert.Equal(fromFlag, Property(OperatorOptionsBinder.Bind([$"{flag}={fromFlag}"], Env((variable, fromVariable))), property));
        Assert.Equal(fromFlag, Property(OperatorOptionsBinder.Bind([flag, fromFlag], Env((variable, fromVariable))), property));
    }

    [Theory]
    [InlineData("--leader-elect")]
    [InlineData("--scheduled-events")]
    [InlineData("--discover-nodes")]
    public void Switches_are_true_bare_and_take_true_or_false(string flag)
    {
        var row = Rows.Single(r => r.Flag == flag);
        var (property, variable) = (row.Property, row.Variable);
        Assert.Equal("true", Property(OperatorOptionsBinder.Bind([flag], Env()), property));
        Assert.Equal("true", Property(OperatorOptionsBinder.Bind([flag, "--log-level", "Warning"], Env()), property));
        Assert.Equal("true", Property(OperatorOptionsBinder.Bind([flag], Env((variable, "false"))), property));
        Assert.Equal("false", Property(OperatorOptionsBinder.Bind([$"{flag}=false"], Env((variable, "true"))), property));
        Assert.Equal("false", Property(OperatorOptionsBinder.Bind([flag, "false"], Env((variable, "true"))), property));
        Assert.Equal("true", Property(OperatorOptionsBinder.Bind([], Env((variable, "1"))), property));
        Assert.Equal("false", Property(OperatorOptionsBinder.Bind([], Env((variable, "no"))), property));
    }

    [Fact]
    public void An_empty_value_after_the_equals_sign_is_a_value_as_the_chart_renders_it()
    {
        var o = OperatorOptionsBinder.Bind(
            ["--namespace=", "--metrics-address=", "--probe-address", "", "--kubeconfig=", "--scheduled-events="],
            Env(("HANDOFF_NAMESPACE", "env-ns"), ("KUBECONFIG", "/k"), ("HANDOFF_SCHEDULED_EVENTS", "true")));
        Assert.Equal("", o.Namespace);
        Assert.Equal("", o.MetricsAddress);
        Assert.Equal("", o.ProbeAddress);
        Assert.Null(o.Kubeconfig);
        Assert.False(o.ScheduledEvents);
        Assert.Null(OperatorOptionsBinder.Bind(["--default-ttl-seconds-after-finished="], Env(("HANDOFF_DEFAULT_TTL_SECONDS_AFTER_FINISHED", "60"))).DefaultTtlSecondsAfterFinished);
    }

    [Fact]
    public void An_empty_variable_is_a_value_too()
    {
        var o = OperatorOptionsBinder.Bind([], Env(("HANDOFF_METRICS_ADDRESS", ""), ("HANDOFF_NAMESPACE", "")));
        Assert.Equal("", o.MetricsAddress);
        Assert.Equal("", o.Namespace);
    }

    [Fact]
    public void Lease_namespace_comes_from_its_flag_then_its_variable_then_POD_NAMESPACE_then_default()
    {
        Assert.Equal("default", OperatorOptionsBinder.Bind([], Env(("POD_NAMESPACE", ""))).LeaseNamespace);
        Assert.Equal("pod-ns", OperatorOptionsBinder.Bind([], Env(("POD_NAMESPACE", "pod-ns"))).LeaseNamespace);
        Assert.Equal("var-ns", OperatorOptionsBinder.Bind([], Env(("POD_NAMESPACE", "pod-ns"), ("HANDOFF_LEASE_NAMESPACE", "var-ns"))).LeaseNamespace);
        Assert.Equal("flag-ns", OperatorOptionsBinder.Bind(["--lease-namespace", "flag-ns"], Env(("POD_NAMESPACE", "pod-ns"), ("HANDOFF_LEASE_NAMESPACE", "var-ns"))).LeaseNamespace);
    }

    [Theory]
    [InlineData("--default-strategy=Random", "--default-strategy: 'Random' is not one of FirstAvailable, LoadBalanced, BestFit")]
    [InlineData("--leader-elect=maybe", "--leader-elect: 'maybe' is not true or false")]
    [InlineData("--scheduled-events=often", "--scheduled-events: 'often' is not true or false")]
    [InlineData("--log-level=Loud", "--log-level: 'Loud' is not one of Trace, Debug, Information, Warning, Error, Critical, None")]
    [InlineData("--log-level=2", "--log-level: '2' is not one of")]
    [InlineData("--metrics-address=8080", "--metrics-address: '8080' is not HOST:PORT")]
    [InlineData("--probe-address=127.0.0.1:99999", "--probe-address: '127.0.0.1:99999' is not HOST:PORT")]
    [InlineData("--probe-address=my-host:8081", "--probe-address: 'my-host' in 'my-host:8081' is not an IP address or localhost")]
    [InlineData("--scheduler-name=", "--scheduler-name must not be empty")]
    [InlineData("--lease-duration=15", "--lease-duration: '15' is not a positive duration (examples: 15s, 1500ms, 1m)")]
    [InlineData("--retry-period=0s", "--retry-period: '0s' is not a positive duration")]
    [InlineData("--leader-elect --lease-duration=4s --renew-deadline=4s", "--lease-duration (4s) must be greater than --renew-deadline (4s)")]
    [InlineData("--leader-elect --renew-deadline=2s --retry-period=2s", "--renew-deadline (2s) must be greater than 1.2 times --retry-period (2s)")]
    [InlineData("--default-pod-gc=Always", "--default-pod-gc: 'Always' is not one of Never, OnSuccess, OnCompletion")]
    [InlineData("--default-ttl-seconds-after-finished=-1", "--default-ttl-seconds-after-finished: '-1' is not a whole number of seconds (0 to 2147483647) or empty")]
    [InlineData("--default-ttl-seconds-after-finished=1h", "--default-ttl-seconds-after-finished: '1h' is not a whole number of seconds")]
    [InlineData("--list-page-size=-1", "--list-page-size: '-1' is not a whole number (0 to 2147483647)")]
    [InlineData("--list-page-size=", "--list-page-size: '' is not a whole number")]
    [InlineData("--api-parallelism=0", "--api-parallelism: '0' is not a whole number (1 to 2147483647)")]
    [InlineData("--idle-memory-trim=-5s", "--idle-memory-trim: '-5s' is not a duration (examples: 15s, 1500ms, 1m, 0s)")]
    [InlineData("--min-pass-interval=soon", "--min-pass-interval: 'soon' is not a duration (examples: 15s, 1500ms, 1m, 0s)")]
    [InlineData("--bogus=1", "Unrecognized command or argument '--bogus=1'")]
    [InlineData("--namespace", "Required argument missing for option: '--namespace'")]
    [InlineData("@args.txt", "Unrecognized command or argument '@args.txt'")]
    [InlineData("--namespace=a --namespace=b", "Option '--namespace' expects a single argument but 2 were provided")]
    public void Bad_flags_are_clear_errors(string arg, string expected)
    {
        var ex = Assert.Throws<OperatorOptionsException>(() => OperatorOptionsBinder.Bind(arg.Split(' '), Env()));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("HANDOFF_DEFAULT_STRATEGY", "Random", "--default-strategy: 'Random' is not one of")]
    [InlineData("HANDOFF_LEADER_ELECT", "maybe", "--leader-elect: 'maybe' is not true or false")]
    [InlineData("HANDOFF_METRICS_ADDRESS", "8080", "--metrics-address: '8080' is not HOST:PORT")]
    [InlineData("HANDOFF_LOG_LEVEL", "Loud", "--log-level: 'Loud'")]
    public void A_bad_variable_is_named_in_the_error(string variable, string value, string expected)
    {
        var ex = Assert.Throws<OperatorOptionsException>(() => OperatorOptionsBinder.Bind([], Env((variable, value))));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.EndsWith($"(set by the environment variable {variable})", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lease_timings_take_Go_durations_and_their_order_is_checked_only_with_leader_election()
    {
        var o = OperatorOptionsBinder.Bind(["--leader-elect", "--lease-duration=2s", "--renew-deadline=1500ms", "--retry-period", "250ms"], Env());
        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(1500), TimeSpan.FromMilliseconds(250)), (o.LeaseDuration, o.RenewDeadline, o.RetryPeriod));
        Assert.Equal(TimeSpan.FromSeconds(1), OperatorOptionsBinder.Bind(["--lease-duration=1s"], Env()).LeaseDuration);
        var ex = Assert.Throws<OperatorOptionsException>(() => OperatorOptionsBinder.Bind(["--leader-elect"], Env(("HANDOFF_LEASE_DURATION", "5s"))));
        Assert.Equal("--lease-duration (5s) must be greater than --renew-deadline (10s) (set by the environment variable HANDOFF_LEASE_DURATION)", ex.Message);
    }

    [Fact]
    public void A_lease_without_a_name_is_refused_only_with_leader_election()
    {
        Assert.Equal("", OperatorOptionsBinder.Bind(["--lease-name="], Env()).LeaseName);
        var ex = Assert.Throws<OperatorOptionsException>(() => OperatorOptionsBinder.Bind(["--lease-name=", "--leader-elect"], Env()));
        Assert.Equal("--lease-name must not be empty with --leader-elect", ex.Message);
    }

    [Fact]
    public void Help_shows_every_flag_with_its_description_variables_and_default()
    {
        var usage = Normalize(OperatorOptionsBinder.Usage);
        Assert.StartsWith("Description: The Handoff operator", usage, StringComparison.Ordinal);
        Assert.Contains("Usage: Handoff.Operator [options]", usage, StringComparison.Ordinal);
        Assert.All(OperatorOptionsBinder.Flags, flag => Assert.Contains($"{flag.Name} <{flag.ValueName}> {flag.HelpText}", usage, StringComparison.Ordinal));
        Assert.Contains(
            "--metrics-address <HOST:PORT> Address serving /metrics (host: an IP address or localhost); empty = not served. " +
            "[env: HANDOFF_METRICS_ADDRESS] [default: 0.0.0.0:8080]",
            usage, StringComparison.Ordinal);
        Assert.Contains("[env: HANDOFF_NAMESPACE] [default: \"\"]", usage, StringComparison.Ordinal);
        Assert.Contains("[env: HANDOFF_LEASE_NAMESPACE, then POD_NAMESPACE] [default: default]", usage, StringComparison.Ordinal);
        Assert.Contains("[env: HANDOFF_LEADER_ELECT] [default: false]", usage, StringComparison.Ordinal);
        Assert.Contains("The Lease holder identity is POD_NAME (else the host name) with a random suffix", usage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("--version")]
    public void Help_and_version_are_actions_not_errors(string arg)
    {
        var parsed = OperatorOptionsBinder.Parse([arg]);
        Assert.Empty(parsed.Errors);
        Assert.NotNull(parsed.Action);
        Assert.IsNotType<System.CommandLine.Invocation.ParseErrorAction>(parsed.Action);
        Assert.Null(OperatorOptionsBinder.Parse(["--namespace", "x"]).Action);
    }

    /// <summary>The help text with its column layout (and any wrapping) folded into single spaces.</summary>
    internal static string Normalize(string text) => string.Join(' ', text.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));

    [Theory]
    [InlineData("0.0.0.0:8080", "0.0.0.0", 8080)]
    [InlineData("[::]:8081", "::", 8081)]
    [InlineData("localhost:0", "localhost", 0)]
    public void Addresses_parse(string address, string host, int port) =>
        Assert.Equal((host, port), OperatorOptions.ParseAddress(address, "--x"));

    [Fact]
    public void Empty_address_disables_the_endpoint() => Assert.Null(OperatorOptions.ParseAddress("", "--x"));
}
