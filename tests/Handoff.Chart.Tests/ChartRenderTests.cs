using Handoff.Chart.Tests.Support;
using Handoff.Operator;
using k8s.Models;

namespace Handoff.Chart.Tests;

/// <summary>What helm template renders: strict models, the Deployment's security and operator configuration.</summary>
public sealed class ChartRenderTests
{
    private static readonly Dictionary<string, Type> s_extraModels = new() { [ServiceMonitor.Key] = typeof(ServiceMonitor) };

    public static TheoryData<string> Configurations =>
        ["(defaults)", .. Directory.GetFiles(ChartPaths.TestValues, "*.yaml").Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal)];

    private static string[] ValuesFor(string configuration) =>
        configuration == "(defaults)" ? [] : [Path.Combine(ChartPaths.TestValues, configuration)];

    [Theory]
    [MemberData(nameof(Configurations))]
    public async Task Every_rendered_object_deserializes_strictly_into_its_model(string configuration)
    {
        var objects = await Helm.RenderAsync(ValuesFor(configuration), TestContext.Current.CancellationToken, includeCrds: true);
        Assert.NotEmpty(objects);
        foreach (var obj in objects)
        {
            var model = Manifests.DeserializeStrict(obj, s_extraModels);
            Assert.Equal(obj.Kind, ((k8s.IKubernetesObject)model).Kind);
        }

        Assert.Equal(3, objects.Count(o => o.Kind == "CustomResourceDefinition"));
        Assert.Single(objects, o => o.Kind == "Deployment");
    }

    [Fact]
    public async Task Strict_deserialization_catches_a_misspelled_field()
    {
        var objects = await Helm.RenderAsync([], TestContext.Current.CancellationToken);
        var deployment = objects.Single(o => o.Kind == "Deployment");
        var broken = deployment with { Yaml = deployment.Yaml.Replace("readinessProbe:", "readynessProbe:", StringComparison.Ordinal) };
        var error = Assert.Throws<InvalidOperationException>(() => Manifests.DeserializeStrict(broken));
        Assert.Contains("readynessProbe", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Default_objects_are_the_documented_set()
    {
        var objects = await Helm.RenderAsync([], TestContext.Current.CancellationToken);
        Assert.Equal(
            ["ClusterRole", "ClusterRole", "ClusterRoleBinding", "Deployment", "Role", "RoleBinding", "Service", "ServiceAccount"],
            objects.Select(o => o.Kind).Order(StringComparer.Ordinal));
        Assert.All(
            objects.Where(o => o.Kind is not ("ClusterRole" or "ClusterRoleBinding")),
            o => Assert.Equal(Helm.Namespace, KubernetesYamlMetadata(o).NamespaceProperty));
    }

    [Fact]
    public async Task Deployment_is_hardened()
    {
        var deployment = await DeploymentAsync([]);
        var pod = deployment.Spec.Template.Spec;
        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.NotEqual(0, pod.SecurityContext.RunAsUser);
        Assert.Equal("RuntimeDefault", pod.SecurityContext.SeccompProfile.Type);

        var container = Assert.Single(pod.Containers);
        Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
        Assert.False(container.SecurityContext.AllowPrivilegeEscalation);
        Assert.True(container.SecurityContext.RunAsNonRoot);
        Assert.Equal(["ALL"], container.SecurityContext.Capabilities.Drop);
        Assert.Null(container.SecurityContext.Capabilities.Add);
        Assert.Null(container.SecurityContext.Privileged);

        // A writable /tmp on the read-only root filesystem.
        var tmp = Assert.Single(container.VolumeMounts, m => m.MountPath == "/tmp");
        Assert.NotNull(Assert.Single(pod.Volumes, v => v.Name == tmp.Name).EmptyDir);
        Assert.Equal("ghcr.io/handoff-dev/handoff-operator:0.1.0", container.Image);
    }

    /// <summary>
    /// The rules of the <c>restricted</c> Pod Security Standard (baseline included), so the release namespace can
    /// enforce it (docs/security.md).
    /// </summary>
    [Theory]
    [MemberData(nameof(Configurations))]
    public async Task The_operator_pod_meets_the_restricted_pod_security_standard(string configuration)
    {
        var pod = (await DeploymentAsync(ValuesFor(configuration))).Spec.Template.Spec;
        Assert.NotEqual(true, pod.HostNetwork);
        Assert.NotEqual(true, pod.HostPID);
        Assert.NotEqual(true, pod.HostIPC);
        Assert.Null(pod.SecurityContext.Sysctls);
        string[] allowedVolumes = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];
        foreach (var volume in pod.Volumes ?? [])
        {
            var kinds = volume.GetType().GetProperties()
                .Where(p => p.Name != nameof(V1Volume.Name) && p.GetValue(volume) is not null)
                .Select(p => char.ToLowerInvariant(p.Name[0]) + p.Name[1..]).ToList();
            Assert.All(kinds, kind => Assert.Contains(kind, allowedVolumes));
        }

        foreach (var container in pod.Containers.Concat(pod.InitContainers ?? []))
        {
            var context = container.SecurityContext;
            Assert.NotEqual(true, context.Privileged);
            Assert.False(context.AllowPrivilegeEscalation);
            Assert.Contains("ALL", context.Capabilities.Drop);
            Assert.All(context.Capabilities.Add ?? [], c => Assert.Equal("NET_BIND_SERVICE", c));
            Assert.True(context.RunAsNonRoot ?? pod.SecurityContext.RunAsNonRoot);
            Assert.NotEqual(0, context.RunAsUser ?? pod.SecurityContext.RunAsUser);
            Assert.Contains((context.SeccompProfile ?? pod.SecurityContext.SeccompProfile).Type, new[] { "RuntimeDefault", "Localhost" });
            Assert.Null(context.ProcMount);
            Assert.All(container.Ports ?? [], p => Assert.Null(p.HostPort));
        }
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public async Task Probes_hit_the_probe_endpoints_on_the_probe_port(string configuration)
    {
        var deployment = await DeploymentAsync(ValuesFor(configuration));
        var container = deployment.Spec.Template.Spec.Containers.Single();
        var probePort = container.Ports.Single(p => p.Name == "probes").ContainerPort;
        Assert.Equal("/healthz", container.LivenessProbe.HttpGet.Path);
        Assert.Equal("/readyz", container.ReadinessProbe.HttpGet.Path);
        Assert.Equal("probes", container.LivenessProbe.HttpGet.Port.Value);
        Assert.Equal("probes", container.ReadinessProbe.HttpGet.Port.Value);

        var options = BindOperatorOptions(deployment);
        Assert.Equal($"0.0.0.0:{probePort}", options.ProbeAddress);
        Assert.Equal($"0.0.0.0:{container.Ports.Single(p => p.Name == "metrics").ContainerPort}", options.MetricsAddress);
    }

    [Fact]
    public async Task Default_deployment_configures_the_operator_as_documented()
    {
        var deployment = await DeploymentAsync([]);
        var options = BindOperatorOptions(deployment);
        Assert.Equal("", options.Namespace);
        Assert.Equal("handoff", options.SchedulerName);
        Assert.Equal("FirstAvailable", options.DefaultStrategy);
        Assert.False(options.LeaderElect);
        Assert.Equal("handoff-operator", options.LeaseName);
        Assert.Equal(Helm.Namespace, options.LeaseNamespace);
        Assert.Equal((TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2)), (options.LeaseDuration, options.RenewDeadline, options.RetryPeriod));
        Assert.Equal("Information", options.LogLevel);
        Assert.Equal(("Never", (int?)null), (options.DefaultPodGC, options.DefaultTtlSecondsAfterFinished));
        Assert.Equal(TimeSpan.FromMilliseconds(10), options.MinPassInterval);
        Assert.Equal(1, deployment.Spec.Replicas);
        Assert.Equal("Recreate", deployment.Spec.Strategy.Type);

        var env = deployment.Spec.Template.Spec.Containers.Single().Env;
        Assert.Equal("metadata.name", env.Single(e => e.Name == "POD_NAME").ValueFrom.FieldRef.FieldPath);
        Assert.Equal("metadata.namespace", env.Single(e => e.Name == "POD_NAMESPACE").ValueFrom.FieldRef.FieldPath);
        Assert.DoesNotContain(env, e => e.Name == "DOTNET_GCConserveMemory");
    }

    [Fact]
    public async Task The_GC_conservation_level_is_the_runtimes_variable_when_set()
    {
        var deployment = await DeploymentAsync([], ["gcConserveMemory=9"]);
        var env = deployment.Spec.Template.Spec.Containers.Single().Env;
        Assert.Equal("9", env.Single(e => e.Name == "DOTNET_GCConserveMemory").Value);
    }

    [Fact]
    public async Task Passes_back_to_back_are_a_value_away()
    {
        var options = BindOperatorOptions(await DeploymentAsync([], ["minPassInterval=0s"]));
        Assert.Equal(TimeSpan.Zero, options.MinPassInterval);
    }

    [Fact]
    public async Task A_zero_TTL_is_rendered_as_zero_not_as_kept()
    {
        var options = BindOperatorOptions(await DeploymentAsync([], ["finishedWork.ttlSecondsAfterFinished=0", "finishedWork.podGC=OnSuccess"]));
        Assert.Equal(("OnSuccess", (int?)0), (options.DefaultPodGC, options.DefaultTtlSecondsAfterFinished));
    }

    [Fact]
    public async Task Non_default_values_reach_the_operator()
    {
        var deployment = await DeploymentAsync([Path.Combine(ChartPaths.TestValues, "production.yaml")]);
        var options = BindOperatorOptions(deployment);
        Assert.Equal("pipelines", options.Namespace);
        Assert.Equal("handoff-prod", options.SchedulerName);
        Assert.Equal("BestFit", options.DefaultStrategy);
        Assert.Equal("Debug", options.LogLevel);
        Assert.Equal("handoff-prod", options.LeaseName);
        Assert.Equal((TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(500)), (options.LeaseDuration, options.RenewDeadline, options.RetryPeriod));
        Assert.Equal("0.0.0.0:9090", options.MetricsAddress);
        Assert.Equal("0.0.0.0:9091", options.ProbeAddress);
        Assert.Equal(("OnCompletion", (int?)86400), (options.DefaultPodGC, options.DefaultTtlSecondsAfterFinished));

        var pod = deployment.Spec.Template.Spec;
        var container = pod.Containers.Single();
        Assert.Equal("registry.example.com/platform/handoff-operator:0.1.0-rc.1", container.Image);
        Assert.Equal("Always", container.ImagePullPolicy);
        Assert.Equal("regcred", Assert.Single(pod.ImagePullSecrets).Name);
        Assert.Equal("handoff-prod", pod.ServiceAccountName);
        Assert.Equal("linux", pod.NodeSelector["kubernetes.io/os"]);
        Assert.Equal("dedicated", Assert.Single(pod.Tolerations).Key);
        Assert.NotNull(pod.Affinity.PodAntiAffinity);
        Assert.Equal("system-cluster-critical", pod.PriorityClassName);
        Assert.Equal("platform", deployment.Spec.Template.Metadata.Labels["team"]);
        Assert.Equal("yes", deployment.Spec.Template.Metadata.Annotations["example.com/scrape"]);
        Assert.Equal("0", container.Env.Single(e => e.Name == "DOTNET_gcServer").Value);
        Assert.Equal("status.hostIP", container.Env.Single(e => e.Name == "NODE_IP").ValueFrom.FieldRef.FieldPath);
        Assert.Equal(new ResourceQuantity("512Mi"), container.Resources.Limits["memory"]);
    }

    [Theory]
    [InlineData(new[] { "replicaCount=1" }, false, "Recreate")]
    [InlineData(new[] { "replicaCount=2" }, true, "RollingUpdate")]
    [InlineData(new[] { "replicaCount=1", "leaderElection.enabled=true" }, true, "RollingUpdate")]
    public async Task Leader_election_turns_on_automatically_above_one_replica(string[] set, bool leaderElect, string strategy)
    {
        var objects = await Helm.RenderAsync([], TestContext.Current.CancellationToken, set: set);
        var deployment = objects.Single(o => o.Kind == "Deployment").As<V1Deployment>();
        Assert.Equal(leaderElect, BindOperatorOptions(deployment).LeaderElect);
        Assert.Equal(strategy, deployment.Spec.Strategy.Type);
    }

    [Fact]
    public async Task Metrics_service_and_service_monitor_point_at_the_metrics_port()
    {
        var objects = await Helm.RenderAsync([Path.Combine(ChartPaths.TestValues, "production.yaml")], TestContext.Current.CancellationToken);
        var deployment = objects.Single(o => o.Kind == "Deployment").As<V1Deployment>();
        var service = objects.Single(o => o.Kind == "Service").As<V1Service>();
        var monitor = objects.Single(o => o.Kind == "ServiceMonitor").As<ServiceMonitor>();

        var port = Assert.Single(service.Spec.Ports);
        Assert.Equal("metrics", port.TargetPort.Value);
        Assert.Equal(9090, port.Port);
        Assert.Contains(deployment.Spec.Template.Spec.Containers.Single().Ports, p => p.Name == "metrics" && p.ContainerPort == 9090);
        foreach (var (key, value) in service.Spec.Selector)
        {
            Assert.Equal(value, deployment.Spec.Template.Metadata.Labels[key]);
        }

        foreach (var (key, value) in monitor.Spec.Selector.MatchLabels)
        {
            Assert.Equal(value, service.Metadata.Labels[key]);
        }

        var endpoint = Assert.Single(monitor.Spec.Endpoints);
        Assert.Equal(("metrics", "/metrics", "15s", "10s"), (endpoint.Port, endpoint.Path, endpoint.Interval, endpoint.ScrapeTimeout));
        Assert.Equal("kube-prometheus-stack", monitor.Metadata.Labels["release"]);
        Assert.Equal([Helm.Namespace], monitor.Spec.NamespaceSelector!.MatchNames);

        // HTTPS by default: Prometheus sends its own ServiceAccount token; the certificate is self-signed, so not verified.
        Assert.Equal(("https", "/var/run/secrets/kubernetes.io/serviceaccount/token"), (endpoint.Scheme, endpoint.BearerTokenFile));
        Assert.Equal((true, null), (endpoint.TlsConfig!.InsecureSkipVerify, endpoint.TlsConfig.Ca));
        Assert.Equal("https", port.AppProtocol);
        var options = BindOperatorOptions(deployment);
        Assert.True(options.MetricsSecure);
        Assert.Equal("", options.MetricsCertPath);
    }

    [Fact]
    public async Task A_metrics_certificate_from_a_secret_is_mounted_for_the_operator_and_verified_by_the_service_monitor()
    {
        var objects = await Helm.RenderAsync([Path.Combine(ChartPaths.TestValues, "secured.yaml")], TestContext.Current.CancellationToken);
        var deployment = objects.Single(o => o.Kind == "Deployment").As<V1Deployment>();
        var service = objects.Single(o => o.Kind == "Service").As<V1Service>();
        var endpoint = Assert.Single(objects.Single(o => o.Kind == "ServiceMonitor").As<ServiceMonitor>().Spec.Endpoints);

        var options = BindOperatorOptions(deployment);
        var pod = deployment.Spec.Template.Spec;
        var mount = Assert.Single(pod.Containers.Single().VolumeMounts, m => m.MountPath == options.MetricsCertPath);
        Assert.True(mount.ReadOnlyProperty);
        Assert.Equal("handoff-metrics-tls", pod.Volumes.Single(v => v.Name == mount.Name).Secret.SecretName);
        Assert.Equal(("tls.crt", "tls.key"), (options.MetricsCertName, options.MetricsCertKey));

        // The ServiceMonitor checks the certificate against the Secret's CA, for the Service's DNS name.
        Assert.Equal("https", endpoint.Scheme);
        Assert.Equal($"{service.Metadata.Name}.{Helm.Namespace}.svc", endpoint.TlsConfig!.ServerName);
        Assert.Equal(("handoff-metrics-tls", "ca.crt"), (endpoint.TlsConfig.Ca!.Secret!.Name, endpoint.TlsConfig.Ca.Secret.Key));
        Assert.Null(endpoint.TlsConfig.InsecureSkipVerify);
        Assert.Equal(("Bearer", "prometheus-scrape-token", "token"), (endpoint.Authorization!.Type, endpoint.Authorization.Credentials!.Name, endpoint.Authorization.Credentials.Key));
        Assert.Null(endpoint.BearerTokenFile);
    }

    [Fact]
    public async Task Plain_http_metrics_are_unauthenticated_and_scraped_over_http()
    {
        var objects = await Helm.RenderAsync([Path.Combine(ChartPaths.TestValues, "plain-metrics.yaml")], TestContext.Current.CancellationToken);
        var options = BindOperatorOptions(objects.Single(o => o.Kind == "Deployment").As<V1Deployment>());
        Assert.False(options.MetricsSecure);
        var endpoint = Assert.Single(objects.Single(o => o.Kind == "ServiceMonitor").As<ServiceMonitor>().Spec.Endpoints);
        Assert.Equal((null, null, null), (endpoint.Scheme, endpoint.BearerTokenFile, endpoint.TlsConfig));
        Assert.Equal("http", objects.Single(o => o.Kind == "Service").As<V1Service>().Spec.Ports.Single().AppProtocol);
    }

    [Fact]
    public async Task The_network_policy_is_off_by_default_and_when_on_admits_only_metrics_probes_and_api_server_traffic()
    {
        var ct = TestContext.Current.CancellationToken;
        Assert.DoesNotContain(await Helm.RenderAsync([], ct), o => o.Kind == "NetworkPolicy");

        foreach (var (values, ports, cidrs, peers) in new[]
        {
            ("plain-metrics.yaml", new[] { 443, 6443 }, Array.Empty<string>(), 0),
            ("secured.yaml", [6443], ["10.0.0.10/32", "10.0.0.11/32"], 1),
        })
        {
            var objects = await Helm.RenderAsync([Path.Combine(ChartPaths.TestValues, values)], ct);
            var deployment = objects.Single(o => o.Kind == "Deployment").As<V1Deployment>();
            var policy = objects.Single(o => o.Kind == "NetworkPolicy").As<V1NetworkPolicy>();
            Assert.Equal(Helm.Namespace, policy.Metadata.NamespaceProperty);
            Assert.Equal(["Egress", "Ingress"], policy.Spec.PolicyTypes.Order(StringComparer.Ordinal));
            foreach (var (key, value) in policy.Spec.PodSelector.MatchLabels)
            {
                Assert.Equal(value, deployment.Spec.Template.Metadata.Labels[key]);
            }

            // Ingress: exactly the container's named metrics and probe ports; metrics only from the peers given.
            var containerPorts = deployment.Spec.Template.Spec.Containers.Single().Ports.Select(p => p.Name).ToHashSet();
            Assert.Equal(["metrics", "probes"], policy.Spec.Ingress.SelectMany(r => r.Ports).Select(p => p.Port.Value).Order(StringComparer.Ordinal));
            Assert.All(policy.Spec.Ingress.SelectMany(r => r.Ports), p => Assert.Contains(p.Port.Value, containerPorts));
            Assert.Equal(peers, policy.Spec.Ingress.Single(r => r.Ports.Any(p => p.Port.Value == "metrics")).FromProperty?.Count ?? 0);
            Assert.Null(policy.Spec.Ingress.Single(r => r.Ports.Any(p => p.Port.Value == "probes")).FromProperty);

            // Egress: only TCP to the API server's ports (and addresses when given); no DNS.
            var egress = Assert.Single(policy.Spec.Egress);
            Assert.Equal(ports.Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture)), egress.Ports.Select(p => p.Port.Value));
            Assert.All(egress.Ports, p => Assert.Equal("TCP", p.Protocol));
            Assert.Equal(cidrs, egress.To?.Select(t => t.IpBlock.Cidr) ?? []);
        }
    }

    [Fact]
    public async Task External_service_account_and_no_rbac_render_only_the_operator()
    {
        var objects = await Helm.RenderAsync([Path.Combine(ChartPaths.TestValues, "single-leader.yaml")], TestContext.Current.CancellationToken);
        Assert.Equal(["Deployment"], objects.Select(o => o.Kind));
        var deployment = objects.Single().As<V1Deployment>();
        Assert.Equal("handoff-external", deployment.Spec.Template.Spec.ServiceAccountName);
        Assert.True(BindOperatorOptions(deployment).LeaderElect);
    }

    /// <summary>
    /// Binds the rendered container's args and env with the operator's own binder, the downward-API variables
    /// resolved as the kubelet would.
    /// </summary>
    internal static OperatorOptions BindOperatorOptions(V1Deployment deployment)
    {
        var container = deployment.Spec.Template.Spec.Containers.Single();
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var variable in container.Env ?? [])
        {
            env[variable.Name] = variable.ValueFrom?.FieldRef?.FieldPath switch
            {
                "metadata.name" => deployment.Metadata.Name + "-7d9f8-abcde",
                "metadata.namespace" => deployment.Metadata.NamespaceProperty,
                null => variable.Value ?? "",
                _ => "10.0.0.1",
            };
        }

        Assert.Null(container.Command);
        return OperatorOptionsBinder.Bind([.. container.Args], name => env.TryGetValue(name, out var value) ? value : null);
    }

    private static async Task<V1Deployment> DeploymentAsync(string[] valuesFiles, string[]? set = null)
    {
        var objects = await Helm.RenderAsync(valuesFiles, TestContext.Current.CancellationToken, set: set);
        return objects.Single(o => o.Kind == "Deployment").As<V1Deployment>();
    }

    private static V1ObjectMeta KubernetesYamlMetadata(RenderedObject obj) =>
        ((k8s.IKubernetesObject<V1ObjectMeta>)Manifests.DeserializeStrict(obj)).Metadata;
}
