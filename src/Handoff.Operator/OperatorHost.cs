using System.Net;
using System.Net.Http.Headers;
using Handoff.Operator.Controllers;
using Handoff.Operator.Infrastructure;
using Handoff.Operator.SecureMetrics;
using k8s;
using Microsoft.AspNetCore.Connections.Features;

namespace Handoff.Operator;

/// <summary>Extra settings for hosting the operator in-process (tests, <c>handoff sandbox</c>).</summary>
public sealed class OperatorHostSettings
{
    /// <summary>The clock for back-off, retries and timestamps; default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>Replaces the default JSON console logging.</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }

    /// <summary>Handlers put in front of the KubernetesClient's HTTP pipeline (e.g. to record API calls).</summary>
    public Func<DelegatingHandler[]>? HttpHandlers { get; init; }
}

/// <summary>Builds and starts the operator: the service, its watches and the /metrics, /healthz, /readyz endpoints.</summary>
public static class OperatorHost
{
    private const string ListenerItem = "handoff.listener";

    /// <summary>
    /// RFC 3339 in UTC with milliseconds. The JSON formatter writes the format's output verbatim as the "Timestamp"
    /// value, so nothing may follow the 'Z' (a trailing space — the simple console formatter's separator before the
    /// level — once ended every timestamp).
    /// </summary>
    internal const string LogTimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>The kubeconfig from --kubeconfig/KUBECONFIG, else in-cluster, else ~/.kube/config.</summary>
    public static KubernetesClientConfiguration LoadKubeConfig(OperatorOptions options)
    {
        if (!string.IsNullOrEmpty(options.Kubeconfig))
        {
            return KubeConfigReader.Load(options.Kubeconfig);
        }

        return KubernetesClientConfiguration.IsInCluster()
            ? KubernetesClientConfiguration.InClusterConfig()
            : KubeConfigReader.Load(KubernetesClientConfiguration.KubeConfigDefaultLocation);
    }

    /// <summary>The <c>User-Agent</c> of the operator's API requests, e.g. <c>handoff-operator/0.1.0</c>.</summary>
    public static readonly string UserAgent =
        "handoff-operator/" + (typeof(OperatorHost).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");

    /// <summary>Registers the operator (client, metrics, leader election, the <see cref="HandoffOperator"/> hosted service).</summary>
    public static IServiceCollection AddHandoffOperator(
        this IServiceCollection services, OperatorOptions options, KubernetesClientConfiguration kubeConfig,
        OperatorHostSettings? settings = null)
    {
        options.Validate();
        settings ??= new OperatorHostSettings();
        services.AddSingleton(options);
        services.AddSingleton(settings.TimeProvider ?? TimeProvider.System);
        services.AddSingleton<IKubernetes>(sp =>
        {
            // The fence is the leadership loop, which needs this client: resolved when a write is sent, not now.
            var fence = new LeaseFenceHandler(sp.GetRequiredService<LeadershipLoop>);
            var client = new Kubernetes(kubeConfig, [.. settings.HttpHandlers?.Invoke() ?? [], fence]);
            // As kube components do (kube-scheduler/v1.x): lets API server audit logs and metrics tell our calls apart.
            var agent = client.HttpClient.DefaultRequestHeaders.UserAgent;
            var library = agent.ToList();
            agent.Clear();
            agent.ParseAdd(UserAgent);
            // The lease identity as a comment (handoff-operator/0.1.0 (handoff-7d9f_1a2b3c4d)): unique per process, so the
            // API server's audit log, and a fencing audit, tell the writes of two replicas apart.
            if (ProductInfoHeaderValue.TryParse("(" + options.Identity + ")", out var identity))
            {
                agent.Add(identity);
            }

            library.ForEach(agent.Add);
            return client;
        });
        services.AddSingleton(sp => new ApiStreams((Kubernetes)sp.GetRequiredService<IKubernetes>(), kubeConfig));
        services.AddSingleton<OperatorMetrics>();
        services.AddSingleton<LeadershipLoop>();
        services.AddSingleton<EventRecorder>();
        services.AddSingleton<HandoffOperator>();
        services.AddHostedService(sp => sp.GetRequiredService<HandoffOperator>());
        return services;
    }

    /// <summary>Builds (does not start) the host.</summary>
    public static IHost Build(OperatorOptions options, KubernetesClientConfiguration kubeConfig, OperatorHostSettings? settings = null)
    {
        options.Validate();
        var metrics = OperatorOptions.ParseAddress(options.MetricsAddress, "--metrics-address");
        var probe = OperatorOptions.ParseAddress(options.ProbeAddress, "--probe-address");
        var time = settings?.TimeProvider ?? TimeProvider.System;
        // Loaded here so that an unusable certificate stops the start with the files' names (IOException).
        var certificate = metrics is null || !options.MetricsSecure ? null
            : options.MetricsCertPath.Length > 0
                ? MetricsCertificate.FromFiles(Path.Combine(options.MetricsCertPath, options.MetricsCertName), Path.Combine(options.MetricsCertPath, options.MetricsCertKey), time)
            : MetricsCertificate.SelfSigned(time, [Environment.GetEnvironmentVariable("POD_NAME") ?? "", Environment.MachineName]);
        var builder = new HostBuilder()
            .ConfigureLogging(logging =>
            {
                logging.ClearProviders();
                if (settings?.ConfigureLogging is { } configure)
                {
                    configure(logging);
                }
                else
                {
                    logging.AddJsonConsole(o =>
                    {
                        o.UseUtcTimestamp = true;
                        o.TimestampFormat = LogTimestampFormat;
                    });
                }

                logging.SetMinimumLevel(options.ParsedLogLevel);
                logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
                logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
            })
            .ConfigureServices(services =>
            {
                services.AddHandoffOperator(options, kubeConfig, settings);
                if (certificate is not null)
                {
                    // A factory registration, so the container disposes it with the host.
                    services.AddSingleton(_ => certificate);
                    services.AddSingleton<MetricsAccess>();
                }
            });
        if (metrics is not null || probe is not null)
        {
            builder.ConfigureWebHost(web => web
                .UseKestrel(kestrel =>
                {
                    if (metrics is { } m && probe is { } p && m == p)
                    {
                        // Only without --metrics-secure (OperatorOptions.Validate): the probes are plain HTTP.
                        Listen(kestrel, m, "both", null);
                        return;
                    }

                    if (metrics is { } mm)
                    {
                        Listen(kestrel, mm, "metrics", certificate);
                    }

                    if (probe is { } pp)
                    {
                        Listen(kestrel, pp, "probe", null);
                    }
                })
                .ConfigureServices(services => services.AddRouting())
                .Configure(app => ConfigureEndpoints(app)));
        }

        return builder.Build();
    }

    /// <summary>Builds and starts the operator; dispose (or <see cref="RunningOperator.StopAsync"/>) to stop it cleanly.</summary>
    public static async Task<RunningOperator> StartAsync(
        OperatorOptions options, KubernetesClientConfiguration kubeConfig, OperatorHostSettings? settings = null,
        CancellationToken cancellationToken = default)
    {
        var host = Build(options, kubeConfig, settings);
        await host.StartAsync(cancellationToken);
        return new RunningOperator(host);
    }

    /// <summary>
    /// Starts the operator in-process against the cluster of <paramref name="kubeconfigPath"/> (e.g. the sandbox's),
    /// serving no HTTP endpoints unless <paramref name="options"/> asks for them. Dispose the result to stop it.
    /// </summary>
    public static async Task<IAsyncDisposable?> StartInProcessAsync(
        string kubeconfigPath, OperatorOptions? options = null, OperatorHostSettings? settings = null,
        CancellationToken cancellationToken = default)
    {
        // No idle trim by default: in process, the allocations it would judge by are not only the operator's.
        options ??= new OperatorOptions { MetricsAddress = "", ProbeAddress = "", LogLevel = "Warning", IdleMemoryTrim = TimeSpan.Zero };
        var config = KubeConfigReader.Load(kubeconfigPath);
        return await StartAsync(options with { Kubeconfig = kubeconfigPath }, config, settings, cancellationToken);
    }

    private static void Listen(
        Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions kestrel, (string Host, int Port) address, string tag, MetricsCertificate? certificate)
    {
        void Tag(Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions listen)
        {
            if (certificate is not null)
            {
                // Asked on every handshake, so a renewed certificate (a Secret update) is served without a restart.
                listen.UseHttps(https => https.ServerCertificateSelector = (_, _) => certificate.Current);
            }

            listen.Use(next => connection =>
            {
                connection.Items[ListenerItem] = tag;
                return next(connection);
            });
        }

        if (address.Host is "localhost")
        {
            kestrel.ListenLocalhost(address.Port, Tag);
        }
        else if (address.Host is "" or "*" or "+")
        {
            kestrel.ListenAnyIP(address.Port, Tag);
        }
        else
        {
            // OperatorOptions.ParseAddress accepted only an IP address here.
            kestrel.Listen(IPAddress.Parse(address.Host), address.Port, Tag);
        }
    }

    private static void ConfigureEndpoints(IApplicationBuilder app)
    {
        var op = app.ApplicationServices.GetRequiredService<HandoffOperator>();
        var metrics = app.ApplicationServices.GetRequiredService<OperatorMetrics>();
        var options = app.ApplicationServices.GetRequiredService<OperatorOptions>();
        var access = app.ApplicationServices.GetService<MetricsAccess>();
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OperatorHost).FullName!);
        if (options.MetricsAddress.Length > 0)
        {
            if (app.ApplicationServices.GetService<MetricsCertificate>() is { } certificate)
            {
                certificate.ReportTo(logger);
                Log.MetricsServingSecurely(logger, options.MetricsAddress, certificate.Description);
            }
            else
            {
                Log.MetricsServingInsecurely(logger, options.MetricsAddress);
            }
        }

        // /metrics only on the metrics address, probes only on the probe address.
        app.Use(async (context, next) =>
        {
            var items = context.Features.Get<IConnectionItemsFeature>()?.Items;
            var tag = items is not null && items.TryGetValue(ListenerItem, out var t) ? t as string : null;
            var wanted = context.Request.Path.StartsWithSegments("/metrics", StringComparison.Ordinal) ? "metrics" : "probe";
            if (tag != wanted && tag != "both")
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            // Everything on the secure metrics listener is for authenticated, authorized scrapers only.
            if (tag == "metrics" && access is not null)
            {
                var decision = await access.CheckAsync(
                    context.Request.Headers.Authorization.ToString(), context.Request.Method, context.Request.Path.Value ?? "/", context.RequestAborted);
                if (!decision.IsAllowed)
                {
                    context.Response.StatusCode = decision.StatusCode;
                    context.Response.ContentType = "text/plain; charset=utf-8";
                    await context.Response.WriteAsync(decision.Message + "\n", context.RequestAborted);
                    return;
                }
            }

            await next(context);
        });
        app.UseRouting();
        app.UseEndpoints(endpoints =>
        {
            endpoints.MapGet("/metrics", context => MetricsExposition.ServeAsync(context, metrics));
            endpoints.MapGet("/healthz", () => op.IsHealthy ? Results.Text("ok") : Results.Text("unhealthy", statusCode: 500));
            endpoints.MapGet("/readyz", () => op.IsReady ? Results.Text("ok") : Results.Text("caches not synced", statusCode: 503));
        });
    }
}

/// <summary>A started operator host.</summary>
public sealed class RunningOperator(IHost host) : IAsyncDisposable
{
    public IHost Host { get; } = host;

    public IServiceProvider Services => Host.Services;

    public HandoffOperator Operator => Host.Services.GetRequiredService<HandoffOperator>();

    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => Host.WaitForShutdownAsync(cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken = default) => await Host.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Host.StopAsync(CancellationToken.None);
        }
        finally
        {
            Host.Dispose();
        }
    }
}
