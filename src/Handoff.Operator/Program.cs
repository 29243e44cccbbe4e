using Handoff.Operator;

if (args is ["--help"] or ["-h"])
{
    Console.WriteLine(OperatorOptionsBinder.Usage);
    return 0;
}

try
{
    var options = OperatorOptionsBinder.Bind(args, Environment.GetEnvironmentVariable);
    await using var host = await OperatorHost.StartAsync(options, OperatorHost.LoadKubeConfig(options));
    await host.WaitForShutdownAsync();
    return 0;
}
catch (OperatorOptionsException ex)
{
    await Console.Error.WriteLineAsync("error: " + ex.Message);
    return 2;
}
catch (Exception ex) when (ex is k8s.Exceptions.KubeConfigException or IOException)
{
    await Console.Error.WriteLineAsync("error: cannot start the operator: " + ex.Message);
    return 1;
}
