// Microsoft Graph alert settings (docs/alerts.md, docs/deploy.md "Microsoft Graph alerts"): their typed shape, the
// checks the app's GraphAlertOptions.Problems() makes at start-up (here they fail the deployment instead), and the
// Supervision__Graph__* app settings the app binds to the section Supervision:Graph. Types and functions only, no
// resources: main.bicep and functionapp.bicep import them, and the infra tests evaluate them through a .bicepparam
// file (build-params evaluates imported functions offline).

@export()
@description('Settings of the Graph alert sink (functions/Supervision.Api/Alerts/GraphAlertSink.cs, GraphAlertOptions).')
type graphOptions = {
  @description('Supervision:Graph:Enabled. Deliver alerts through Graph (e-mail and Teams); false = local mailbox only.')
  enabled: bool

  @description('Supervision:Graph:SenderUserId. Object id or UPN of the mailbox alerts are sent from; required when enabled and mail.')
  senderUserId: string

  @description('Supervision:Graph:Mail. Send e-mail (POST /users/{sender}/sendMail, application permission Mail.Send).')
  mail: bool

  @description('Supervision:Graph:Teams. Send Teams activity-feed notifications (application permission TeamsActivity.Send + the Teams app installed for recipients).')
  teams: bool

  @description('Supervision:Graph:BaseUrl. Graph root including the version; its host is also the token scope.')
  baseUrl: string

  @description('Supervision:Graph:PublicAppUrl. Absolute base URL alert links point to; empty = the function app\'s https://<default host name>.')
  publicAppUrl: string

  @description('Supervision:Graph:DeliveriesTable. Table of delivery markers (after the runtime\'s table prefix).')
  deliveriesTable: string
}

@export()
@description('One app setting.')
type appSetting = { name: string, value: string }

@description('An absolute http(s) URL with a host (what Uri.TryCreate(…, UriKind.Absolute) accepts for a web address).')
func isAbsoluteWebUrl(url string) bool =>
  (startsWith(toLower(url), 'https://') && length(url) > 8) || (startsWith(toLower(url), 'http://') && length(url) > 7)

@export()
@description('What makes the settings unusable, as GraphAlertOptions.Problems() sees it; empty when valid or when disabled.')
func graphProblems(g graphOptions) string[] =>
  g.enabled
    ? filter(
        [
          g.mail && empty(trim(g.senderUserId))
            ? 'graphSenderUserId (Supervision:Graph:SenderUserId) is required when graphEnabled and graphMail are true.'
            : ''
          !empty(g.publicAppUrl) && !isAbsoluteWebUrl(g.publicAppUrl)
            ? 'graphPublicAppUrl (Supervision:Graph:PublicAppUrl) must be an absolute URL, or empty for the function app\'s own.'
            : ''
          !isAbsoluteWebUrl(g.baseUrl) ? 'graphBaseUrl (Supervision:Graph:BaseUrl) must be an absolute URL.' : ''
          empty(trim(g.deliveriesTable)) ? 'graphDeliveriesTable (Supervision:Graph:DeliveriesTable) must not be empty.' : ''
        ],
        p => !empty(p)
      )
    : []

@export()
@description('The Supervision__Graph__* app settings; an empty publicAppUrl becomes defaultPublicAppUrl.')
func graphAppSettings(g graphOptions, defaultPublicAppUrl string) appSetting[] => [
  { name: 'Supervision__Graph__Enabled', value: g.enabled ? 'true' : 'false' }
  { name: 'Supervision__Graph__SenderUserId', value: g.senderUserId }
  { name: 'Supervision__Graph__Mail', value: g.mail ? 'true' : 'false' }
  { name: 'Supervision__Graph__Teams', value: g.teams ? 'true' : 'false' }
  { name: 'Supervision__Graph__BaseUrl', value: g.baseUrl }
  { name: 'Supervision__Graph__PublicAppUrl', value: empty(g.publicAppUrl) ? defaultPublicAppUrl : g.publicAppUrl }
  { name: 'Supervision__Graph__DeliveriesTable', value: g.deliveriesTable }
]
