using Supervision.Functions;

var app = HandlerApp.Build(args);
app.Run();

/// <summary>Entry point; partial so the ASP.NET Core test host can reference it.</summary>
public partial class Program;
