// The frame every page shares: a skip link, the header (app name, pages, language, display settings),
// and the page for the current path. Staff pages need a session; the portal does not.
import { lazy, Suspense } from "preact/compat";
import { useEffect, useErrorBoundary, useState } from "preact/hooks";

import { call, User } from "./client";
import { display, setDisplay } from "./display";
import { language, setLanguage, t } from "./i18n";
import { Bell } from "./bell";
import { closeEvents } from "./events";
import { navigate, path } from "./router";
import { useSignal } from "./signal";

// Each page is its own chunk, fetched when first shown: the public portal never downloads the charts or
// the admin pages.
const Account = lazy(() => import("./pages/account").then((m) => m.Account));
const Admin = lazy(() => import("./pages/admin").then((m) => m.Admin));
const Console = lazy(() => import("./pages/console").then((m) => m.Console));
const Dashboard = lazy(() => import("./pages/dashboard").then((m) => m.Dashboard));
const Login = lazy(() => import("./pages/login").then((m) => m.Login));
const PetitionPage = lazy(() => import("./pages/petition").then((m) => m.PetitionPage));
const ProxyFile = lazy(() => import("./pages/proxy_file").then((m) => m.ProxyFile));
const Portal = lazy(() => import("./pages/portal").then((m) => m.Portal));
const Reception = lazy(() => import("./pages/reception").then((m) => m.Reception));
const Worklist = lazy(() => import("./pages/worklist").then((m) => m.Worklist));

// A page that fails (a bug, or its chunk could not be fetched) says so and offers a reload; the header and
// the other pages keep working.
function PageBoundary({ children }: { children: preact.ComponentChildren }) {
  const [error, reset] = useErrorBoundary((e) => console.error(e));
  if (error)
    return (
      <div role="alert" class="card">
        <p class="error">{t("page_failed")}</p>
        <button type="button" onClick={() => location.reload()}>{t("reload")}</button>{" "}
        <button type="button" class="secondary" onClick={reset}>{t("try_again")}</button>
      </div>
    );
  return <Suspense fallback={<p role="status">{t("loading")}</p>}>{children}</Suspense>;
}

function Link({ to, children }: { to: string; children: preact.ComponentChildren }) {
  const current = useSignal(path) === to;
  return (
    <a
      href={to}
      aria-current={current ? "page" : undefined}
      onClick={(e) => {
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

function DisplaySettings() {
  const d = useSignal(display);
  return (
    <fieldset class="display-settings">
      <legend>{t("display")}</legend>
      <label>
        <input type="checkbox" checked={d.largeText} onChange={(e) => setDisplay({ ...d, largeText: e.currentTarget.checked })} />
        {t("large_text")}
      </label>
      <label>
        <input type="checkbox" checked={d.highContrast} onChange={(e) => setDisplay({ ...d, highContrast: e.currentTarget.checked })} />
        {t("high_contrast")}
      </label>
    </fieldset>
  );
}

export function App() {
  const lang = useSignal(language);
  const current = useSignal(path);
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const portal = current.startsWith("/portal");

  useEffect(() => {
    if (portal) return;
    call("get", "/api/v1/auth/session")
      .then((s) => setUser(s.user))
      .catch(() => setUser(null));
  }, [portal]);

  useEffect(() => {
    document.title = t("app_title");
  }, [lang]);

  const signedOut = () => {
    closeEvents();
    setUser(null);
    navigate("/");
  };
  const logOut = async () => {
    await call("post", "/api/v1/auth/logout").catch(() => undefined);
    closeEvents();
    setUser(null);
    navigate("/");
  };

  let page;
  if (portal) page = <Portal />;
  else if (user === undefined) page = <p role="status">{t("loading")}</p>;
  else if (user === null) page = <Login onLoggedIn={setUser} />;
  else if (current === "/reports") page = <Dashboard />;
  else if (current === "/account") page = <Account onSignedOut={signedOut} />;
  else if (current === "/admin" || (current === "/" && user.roles.includes("admin"))) page = <Admin />;
  else if (current === "/petitions") page = <Worklist user={user.id} roles={user.roles} />;
  else if (current === "/file" && user.roles.includes("proxy")) page = <ProxyFile />;
  else if (current === "/reception" && user.roles.includes("operator")) page = <Reception />;
  else if (current.startsWith("/petitions/")) page = <PetitionPage id={current.slice("/petitions/".length)} />;
  else if (current === "/console" || (current === "/" && user.roles.includes("operator"))) page = <Console me={user.id} />;
  else page = <Worklist mine={user.roles.includes("proxy")} user={user.id} roles={user.roles} />;

  return (
    <>
      <a class="skip-link" href="#main">
        {t("skip_to_main")}
      </a>
      <header>
        <p class="app-title">{t("app_title")}</p>
        <nav aria-label={lang === "zh" ? "主导航" : "Main"}>
          <ul>
            {!portal && user?.roles.includes("operator") && <li><Link to="/console">{t("console")}</Link></li>}
            {!portal && user?.roles.includes("operator") && <li><Link to="/reception">{t("reception")}</Link></li>}
            {!portal && user && <li><Link to={user.roles.includes("operator") ? "/petitions" : "/"}>{user.roles.includes("proxy") ? t("my_cases") : t("worklist")}</Link></li>}
            {!portal && user?.roles.includes("proxy") && <li><Link to="/file">{t("file_on_behalf")}</Link></li>}
            {!portal && user?.roles.includes("manager") && <li><Link to="/reports">{t("dashboard")}</Link></li>}
            {!portal && user?.roles.includes("admin") && <li><Link to="/admin">{t("admin")}</Link></li>}
            {!portal && user && <li><Link to="/account">{t("my_account")}</Link></li>}
            <li><Link to="/portal">{t("portal")}</Link></li>
            {portal && <li><Link to="/">{t("staff_login")}</Link></li>}
          </ul>
        </nav>
        <div class="header-tools">
          <button type="button" lang={lang === "zh" ? "en" : "zh-CN"} title={t("language_label")}
                  onClick={() => setLanguage(lang === "zh" ? "en" : "zh")}>
            {t("language")}
          </button>
          {!portal && user && <Bell key={user.id} />}
          {!portal && user && <button type="button" onClick={logOut}>{t("log_out")} ({user.display_name})</button>}
        </div>
        <DisplaySettings />
      </header>
      <main id="main" tabIndex={-1}>
        <PageBoundary key={current}>{page}</PageBoundary>
      </main>
    </>
  );
}
