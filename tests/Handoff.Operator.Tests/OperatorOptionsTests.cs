namespace Handoff.Operator.Tests;

public sealed class OperatorOptionsTests
{
    private static Func<string, string?> Env(params (string Key, string Value)[] values)
    {
        var map = values.ToDictionary(v => v.Key, v => (string?)v.Value, StringComparer.Ordinal);
        return key => map.GetValueOrDefault(key);
    }

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
        // Unique per process (client-go's examples add a UUID): two operators on one host never share a lease identity.
        Assert.Matches("^host-1_[0-9a-f]{8}$", o.Identity);
        Assert.NotEqual(o.Identity, OperatorOptionsBinder.Bind([], Env(("HOSTNAME", "host-1"))).Identity);
    }

    [Fact]
    public void Environment_variables_set_every_option()
    {
        var o = OperatorOptionsBinder.Bind([], Env(
            ("KUBECONFIG", "/k"), ("HANDOFF_NAMESPACE", "ns"), ("HANDOFF_SCHEDULER_NAME", "s"),
            ("HANDOFF_DEFAULT_STRATEGY", "BestFit"), ("HANDOFF_LEADER_ELECT", "true"), ("HANDOFF_LEASE_NAME", "l"),
            ("HANDOFF_LEASE_NAMESPACE", "ln"), ("HANDOFF_METRICS_ADDRESS", "127.0.0.1:9000"),
            ("HANDOFF_PROBE_ADDRESS", "127.0.0.1:9001"), ("HANDOFF_LOG_LEVEL", "Debug"), ("POD_NAME", "pod-7"),
            ("POD_NAMESPACE", "ignored-because-lease-namespace-is-set")));
        Assert.Equal("/k", o.Kubeconfig);
        Assert.Equal("ns", o.Namespace);
        Assert.Equal("s", o.SchedulerName);
        Assert.Equal("BestFit", o.DefaultStrategy);
        Assert.True(o.LeaderElect);
        Assert.Equal("l", o.LeaseName);
        Assert.Equal("ln", o.LeaseNamespace);
        Assert.Equal("127.0.0.1:9000", o.MetricsAddress);
        Assert.Equal("127.0.0.1:9001", o.ProbeAddress);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Debug, o.ParsedLogLevel);
        Assert.Matches("^pod-7_[0-9a-f]{8}$", o.Identity);
    }

    [Fact]
    public void Lease_namespace_defaults_to_POD_NAMESPACE()
    {
        var o = OperatorOptionsBinder.Bind([], Env(("POD_NAMESPACE", "handoff-system")));
        Assert.Equal("handoff-system", o.LeaseNamespace);
    }

    [Fact]
    public void Flags_win_over_environment_in_both_spellings()
    {
        var o = OperatorOptionsBinder.Bind(
            ["--namespace", "flag-ns", "--default-strategy=LoadBalanced", "--leader-elect", "--log-level", "warning"],
            Env(("HANDOFF_NAMESPACE", "env-ns"), ("HANDOFF_LEADER_ELECT", "false")));
        Assert.Equal("flag-ns", o.Namespace);
        Assert.Equal("LoadBalanced", o.DefaultStrategy);
        Assert.True(o.LeaderElect);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, o.ParsedLogLevel);
        var off = OperatorOptionsBinder.Bind(["--leader-elect=false"], Env(("HANDOFF_LEADER_ELECT", "true")));
        Assert.False(off.LeaderElect);
    }

    [Fact]
    public void Scheduled_events_are_off_unless_asked_for_by_a_bare_flag_a_value_or_the_environment()
    {
        Assert.False(OperatorOptionsBinder.Bind([], Env()).ScheduledEvents);
        Assert.True(OperatorOptionsBinder.Bind(["--scheduled-events", "--log-level", "Warning"], Env()).ScheduledEvents);
        Assert.True(OperatorOptionsBinder.Bind([], Env(("HANDOFF_SCHEDULED_EVENTS", "true"))).ScheduledEvents);
        Assert.False(OperatorOptionsBinder.Bind(["--scheduled-events=false"], Env(("HANDOFF_SCHEDULED_EVENTS", "true"))).ScheduledEvents);
    }

    [Theory]
    [InlineData("--default-strategy=Random", "--default-strategy")]
    [InlineData("--leader-elect=maybe", "--leader-elect")]
    [InlineData("--scheduled-events=often", "--scheduled-events")]
    [InlineData("--log-level=Loud", "--log-level")]
    [InlineData("--metrics-address=8080", "--metrics-address")]
    [InlineData("--probe-address=host:99999", "--probe-address")]
    [InlineData("--bogus=1", "unknown flag")]
    [InlineData("--namespace", "needs a value")]
    public void Bad_flags_are_clear_errors(string arg, string expected)
    {
        var ex = Assert.Throws<OperatorOptionsException>(() => OperatorOptionsBinder.Bind([arg], Env()));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0.0.0.0:8080", "0.0.0.0", 8080)]
    [InlineData("[::]:8081", "::", 8081)]
    [InlineData("localhost:0", "localhost", 0)]
    public void Addresses_parse(string address, string host, int port) =>
        Assert.Equal((host, port), OperatorOptions.ParseAddress(address, "--x"));

    [Fact]
    public void Empty_address_disables_the_endpoint() => Assert.Null(OperatorOptions.ParseAddress("", "--x"));
}
