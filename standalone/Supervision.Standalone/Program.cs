using Supervision.Api;
using Supervision.Standalone;

var builder = WebApplication.CreateBuilder(args);
if (builder.Configuration["urls"] is null && builder.Configuration["ASPNETCORE_URLS"] is null)
{
    builder.WebHost.UseUrls(builder.Configuration["Supervision:Urls"] ?? "http://127.0.0.1:7071");
}

builder.AddSupervisionApi();
builder.AddDurableTaskOnAzureStorage();

var app = builder.Build();
app.MapSupervisionApi();
app.Run();

/// <summary>Entry point; partial so the ASP.NET Core test host can reference it.</summary>
public partial class Program;
