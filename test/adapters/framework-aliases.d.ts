// The dev dependencies express4 and express5 are npm aliases of express; @types/express covers both
// for what the tests use (apps, routers, handlers).
declare module 'express4' {
  import express = require('express');
  export = express;
}
declare module 'express5' {
  import express = require('express');
  export = express;
}
