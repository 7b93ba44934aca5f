/* Kehu flow designer (Alpine.js component): edits the flow graph as JSON, shows a live diagram and the
   problems the server finds (the same check that publishing runs). */
(function () {
  "use strict";

  function clone(value) { return JSON.parse(JSON.stringify(value)); }

  function defaults(type) {
    if (type === "branch") {
      return { type: "branch", name: "", branches: [{ name: "", condition: { all: [{ field: "", op: "eq", value: "" }] }, next: "end" }], default: "end" };
    }
    var node = { type: type, name: "", approvers: { kind: "department_head" }, next: "end" };
    if (type === "approval") {
      Object.assign(node, { mode: "any", timeout_hours: 0, timeout_action: "remind", pc_only: false, editable_fields: [], if_no_approver: "skip" });
    }
    return node;
  }

  window.flowDesigner = function (config) {
    return {
      graph: clone(config.graph),
      catalog: config.catalog,
      readOnly: config.readOnly,
      previewUrl: config.previewUrl,
      timer: null,

      init: function () {
        if (!this.graph.nodes) { this.graph.nodes = {}; }
        var self = this;
        this.$watch("graph", function () { self.schedulePreview(); });
      },
      ids: function () { return Object.keys(this.graph.nodes); },
      node: function (id) { return this.graph.nodes[id]; },
      label: function (id) {
        if (id === "end") { return config.endLabel; }
        var n = this.graph.nodes[id];
        return n ? (n.name || id) : id;
      },
      targets: function (id) {
        var self = this;
        return ["end"].concat(this.ids().filter(function (other) { return other !== id; })).map(function (t) {
          return { id: t, label: self.label(t) };
        });
      },
      newId: function (type) {
        var prefix = type === "branch" ? "b" : "n", i = 1;
        while (this.graph.nodes[prefix + i]) { i += 1; }
        return prefix + i;
      },
      addNode: function (type, after) {
        var id = this.newId(type), node = defaults(type);
        if (after && this.graph.nodes[after] && this.graph.nodes[after].type !== "branch") {
          node[type === "branch" ? "default" : "next"] = this.graph.nodes[after].next || "end";
          this.graph.nodes[after].next = id;
        } else if (!this.graph.start) {
          this.graph.start = id;
        }
        this.graph.nodes[id] = node;
        return id;
      },
      removeNode: function (id) {
        var self = this, next = this.graph.nodes[id].next || this.graph.nodes[id].default || "end";
        delete this.graph.nodes[id];
        if (this.graph.start === id) { this.graph.start = next === "end" ? (this.ids()[0] || "") : next; }
        this.ids().forEach(function (other) {
          var n = self.graph.nodes[other];
          if (n.next === id) { n.next = next; }
          if (n.default === id) { n.default = next; }
          (n.branches || []).forEach(function (b) { if (b.next === id) { b.next = next; } });
        });
      },
      setApproverKind: function (node, kind) {
        var rule = { kind: kind };
        if (kind === "users") { rule.users = []; }
        if (kind === "role") { rule.role = this.catalog.roles.length ? this.catalog.roles[0][0] : null; }
        if (kind === "superior") { rule.level = 1; }
        if (kind === "field") { rule.field = (this.userFields()[0] || {}).name || ""; }
        node.approvers = rule;
      },
      userFields: function () { return this.catalog.fields.filter(function (f) { return f.kind === "user"; }); },
      conditionFields: function () { return this.catalog.fields.filter(function (f) { return f.condition; }); },
      editableFields: function () { return this.catalog.fields.filter(function (f) { return f.editable; }); },
      field: function (name) { return this.catalog.fields.find(function (f) { return f.name === name; }) || null; },
      groupKey: function (condition) { return condition.any ? "any" : "all"; },
      setGroup: function (branch, key) {
        var items = branch.condition.all || branch.condition.any || [];
        branch.condition = {};
        branch.condition[key] = items;
      },
      leaves: function (branch) { return branch.condition.all || branch.condition.any || []; },
      addLeaf: function (branch) { this.leaves(branch).push({ field: "", op: "eq", value: "" }); },
      setLeafField: function (leaf, name) {
        var f = this.field(name);
        leaf.field = name;
        leaf.op = f ? f.ops[0][0] : "eq";
        leaf.value = f && f.kind === "bool" ? true : (f && f.kind === "choice" && f.choices.length ? f.choices[0][0] : "");
      },
      setLeafValue: function (leaf, raw) {
        var f = this.field(leaf.field);
        if (f && f.kind === "number") { leaf.value = raw === "" ? "" : Number(raw); }
        else if (f && f.kind === "bool") { leaf.value = raw === "true"; }
        else if (f && f.kind === "user") { leaf.value = raw === "" ? "" : Number(raw); }
        else { leaf.value = raw; }
        if (leaf.op === "in" || leaf.op === "not_in") { leaf.value = [leaf.value]; }
      },
      leafValue: function (leaf) {
        var v = Array.isArray(leaf.value) ? leaf.value[0] : leaf.value;
        return v === undefined || v === null ? "" : String(v);
      },
      toggleEditable: function (node, name, on) {
        var list = node.editable_fields || [];
        node.editable_fields = on ? list.concat([name]) : list.filter(function (n) { return n !== name; });
      },
      findUsers: function (q) {
        q = (q || "").trim().toLowerCase();
        return this.catalog.users.filter(function (u) { return !q || u[1].toLowerCase().indexOf(q) !== -1; });
      },
      // The list may be filtered: people chosen but not shown stay chosen.
      pickUsers: function (node, select) {
        var shown = Array.from(select.options).map(function (o) { return Number(o.value); });
        var picked = Array.from(select.selectedOptions).map(function (o) { return Number(o.value); });
        var kept = (node.approvers.users || []).filter(function (pk) { return shown.indexOf(pk) === -1; });
        node.approvers.users = kept.concat(picked);
      },
      userNames: function (pks) {
        var names = {};
        this.catalog.users.forEach(function (u) { names[u[0]] = u[1].split(" · ")[0]; });
        return (pks || []).map(function (pk) { return names[pk] || pk; }).join("、");
      },
      serialized: function () { return JSON.stringify(this.graph); },
      schedulePreview: function () {
        var self = this;
        window.clearTimeout(this.timer);
        this.timer = window.setTimeout(function () { self.preview(); }, 350);
      },
      preview: function () {
        var body = new FormData();
        body.append("graph", this.serialized());
        body.append("csrfmiddlewaretoken", this.$root.querySelector("[name=csrfmiddlewaretoken]").value);
        fetch(this.previewUrl, { method: "POST", body: body, credentials: "same-origin" })
          .then(function (r) { return r.text(); })
          .then(function (html) { document.getElementById("designer-preview").innerHTML = html; });
      }
    };
  };
})();
